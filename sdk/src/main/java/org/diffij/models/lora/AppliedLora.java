package org.diffij.models.lora;

/**
 * One adapter applied with its multipliers: A1111's {@code <lora:name:te:unet>} (the text-encoder
 * multiplier, then the UNet's, which defaults to the first), diffusers' {@code scale}.
 */
public record AppliedLora(LoraAdapter adapter, float textScale, float unetScale) {

    /** The same multiplier for text encoders and UNet. */
    public AppliedLora(LoraAdapter adapter, float scale) {
        this(adapter, scale, scale);
    }

    /** The multiplier for a component: {@code unet}'s, or the text encoders'. */
    public float scale(String component) {
        return component.equals("unet") ? unetScale : textScale;
    }
}
