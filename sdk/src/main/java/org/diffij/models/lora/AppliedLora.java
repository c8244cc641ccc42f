package org.diffij.models.lora;

/** One LoRA applied at a scale (the {@code <lora:name:scale>} of a prompt, {@code cross_attention_kwargs["scale"]}). */
public record AppliedLora(LoraAdapter adapter, float scale) {
}
