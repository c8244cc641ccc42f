package org.diffij.pipelines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.diffij.models.hypernetwork.HypernetworkFile;
import org.diffij.models.lora.AppliedLora;
import org.diffij.models.lora.LoraAdapter;
import org.diffij.models.lora.RuntimeLora;
import org.diffij.nn.KeyValueContexts;
import org.diffij.nn.LowRankBranches;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.text.TextualInversion;
import org.diffij.text.TokenOverlay;

/**
 * The adapters of one generation, prepared in its job's memory so the cached model stays untouched:
 * LoRAs on the UNet at run time ({@link RuntimeLora}: low-rank branches, merged weights for the rest), LoRAs on the text encoders as patched copies of
 * those (small) encoders, textual-inversion embeddings as token overlays, and A1111 hypernetworks as
 * key/value context transforms of the UNet's and the ControlNets' attention ({@link KeyValueContexts},
 * chained in request order as A1111 chains them).
 */
public final class Adapters {

    private static final Adapters NONE = new Adapters(null, null, null, null, null, List.of());

    private final RuntimeLora unetLoras;
    private final List<KeyValueContexts.Transform> hypernetworks;
    private final ClipTextModel textEncoder;
    private final ClipTextModel textEncoder2;
    private final TokenOverlay overlay;
    private final TokenOverlay overlay2;

    private Adapters(RuntimeLora unetLoras, ClipTextModel textEncoder, ClipTextModel textEncoder2,
            TokenOverlay overlay, TokenOverlay overlay2, List<KeyValueContexts.Transform> hypernetworks) {
        this.unetLoras = unetLoras;
        this.hypernetworks = List.copyOf(hypernetworks);
        this.textEncoder = textEncoder;
        this.textEncoder2 = textEncoder2;
        this.overlay = overlay;
        this.overlay2 = overlay2;
    }

    public static Adapters none() {
        return NONE;
    }

    /** The request's LoRAs, embeddings and hypernetworks prepared for the model. */
    public static Adapters prepare(NDManager manager, DataType computeType, StableDiffusionModel model,
            List<AdapterFile> adapters) {
        if (adapters.isEmpty()) {
            return NONE;
        }
        List<AdapterFile> loras = new ArrayList<>();
        List<TextualInversion> inversions = new ArrayList<>();
        List<KeyValueContexts.Transform> hypernetworks = new ArrayList<>();
        for (AdapterFile adapter : adapters) {
            switch (adapter.adapter().kind()) {
                case LORA -> loras.add(adapter);
                case EMBEDDING -> inversions.add(TextualInversion.load(adapter.file(), adapter.token()));
                case HYPERNET -> hypernetworks.add(HypernetworkFile.read(adapter.file(), manager, computeType)
                        .contexts((float) adapter.adapter().weight(), false));
            }
        }
        TokenOverlay overlay = inversions.isEmpty() ? null : overlay(model.tokenizer(), model.textEncoder(), 0,
                inversions);
        TokenOverlay overlay2 = inversions.isEmpty() || !model.isXl() ? null
                : overlay(model.tokenizer2(), model.textEncoder2(), 1, inversions);
        if (loras.isEmpty()) {
            return new Adapters(null, null, null, overlay, overlay2, hypernetworks);
        }
        return model.withStoredWeights(base -> {
            List<AppliedLora> applied = new ArrayList<>();
            for (AdapterFile lora : loras) {
                applied.add(new AppliedLora(LoraAdapter.read(lora.file(), base), (float) lora.adapter().weight(),
                        (float) lora.adapter().unetWeight()));
            }
            ClipTextModel text = patched(manager, computeType, model, base, applied, "text_encoder");
            ClipTextModel text2 = model.isXl() ? patched(manager, computeType, model, base, applied, "text_encoder_2")
                    : null;
            return new Adapters(RuntimeLora.of(applied, "unet", base.get("unet"), manager, computeType), text, text2,
                    overlay, overlay2, hypernetworks);
        });
    }

    private static TokenOverlay overlay(org.diffij.text.ClipTokenizer tokenizer, ClipTextModel encoder, int index,
            List<TextualInversion> inversions) {
        return TokenOverlay.of(tokenizer, encoder.config().vocabSize(), encoder.config().hiddenSize(), index,
                inversions);
    }

    /**
     * The text encoder with the LoRAs that touch it applied at run time (low-rank branches, merged
     * weights for the other kinds, as on the UNet), or null when none does: the one place
     * text-encoder adapters are applied. Nothing is copied; the cached encoder is unchanged.
     */
    private static ClipTextModel patched(NDManager manager, DataType computeType, StableDiffusionModel model,
            Map<String, org.diffij.io.Weights> base, List<AppliedLora> applied, String component) {
        if (applied.stream().noneMatch(a -> a.adapter().components().contains(component))) {
            return null;
        }
        RuntimeLora loras = RuntimeLora.of(applied, component, base.get(component), manager, computeType);
        ClipTextModel encoder = component.equals("text_encoder") ? model.textEncoder() : model.textEncoder2();
        return encoder.withAdapters(loras::applying);
    }

    /** The first text encoder to use: with LoRAs merged when they touch it. */
    public ClipTextModel textEncoder(StableDiffusionModel model) {
        return textEncoder != null ? textEncoder : model.textEncoder();
    }

    /** SDXL's second text encoder to use. */
    public ClipTextModel textEncoder2(StableDiffusionModel model) {
        return textEncoder2 != null ? textEncoder2 : model.textEncoder2();
    }

    /** The embeddings' overlay on the first tokenizer, or null. */
    public TokenOverlay overlay() {
        return overlay;
    }

    /** The embeddings' overlay on SDXL's second tokenizer, or null. */
    public TokenOverlay overlay2() {
        return overlay2;
    }

    /** Runs a UNet forward with the LoRAs and hypernetworks active. */
    public NDArray unet(Supplier<NDArray> forward) {
        Supplier<NDArray> adapted = () -> withHypernetworks(forward);
        return unetLoras == null ? adapted.get() : unetLoras.applying(adapted);
    }

    /**
     * Runs a ControlNet forward with the hypernetworks active and no LoRA: A1111 hooks every
     * transformer-block attention (the ControlNet extension's too), while a LoRA patches only the
     * checkpoint's own layers.
     */
    public <T> T controlNet(Supplier<T> forward) {
        return withHypernetworks(forward);
    }

    private <T> T withHypernetworks(Supplier<T> forward) {
        return hypernetworks.isEmpty() ? forward.get() : KeyValueContexts.applying(hypernetworks, forward);
    }
}
