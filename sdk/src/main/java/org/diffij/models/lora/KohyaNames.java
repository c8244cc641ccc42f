package org.diffij.models.lora;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.models.checkpoint.LdmUNetNames;
import org.diffij.models.unet.UNet2DConditionConfig;

/**
 * kohya's LoRA layer names, both ways. kohya writes a layer as a prefix and its module path with
 * {@code _} for {@code .}: {@code lora_te_} / {@code lora_te1_} for the (first) text encoder,
 * {@code lora_te2_} for SDXL's second, {@code lora_unet_} for the UNet, whose path is the
 * diffusers one for SD 1.x/2.x ({@code lora_unet_down_blocks_0_attentions_0_proj_in}) and the
 * original LDM one for SDXL ({@code lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q}),
 * renamed by the single-file checkpoint table {@link LdmUNetNames}.
 */
public final class KohyaNames {

    /** A layer of a base model: component ({@code unet}, {@code text_encoder}, {@code text_encoder_2}) and module path. */
    public record Target(String component, String module) {
    }

    private final LdmUNetNames unet;
    private final boolean xl;

    private KohyaNames(LdmUNetNames unet, boolean xl) {
        this.unet = unet;
        this.xl = xl;
    }

    /** Names as kohya's scripts write them for a UNet of this config; {@code xl}: SDXL naming. */
    public static KohyaNames of(UNet2DConditionConfig unetConfig, boolean xl) {
        return new KohyaNames(new LdmUNetNames(unetConfig), xl);
    }

    /** Names for the UNet whose diffusers weight names are given (its config not at hand). */
    static KohyaNames ofUNetWeights(Collection<String> unetWeightNames, boolean xl) {
        return new KohyaNames(LdmUNetNames.ofWeightNames(unetWeightNames), xl);
    }

    /** The kohya name of a module, e.g. {@code text_encoder}, {@code text_model.encoder.layers.0.mlp.fc1} → {@code lora_te1_text_model_encoder_layers_0_mlp_fc1}. */
    public String kohyaName(String component, String module) {
        return switch (component) {
            case "unet" -> {
                String path = xl ? unet.ldmName(module) : module;
                if (path == null) {
                    throw new DiffijException("the UNet module " + module + " has no LDM (kohya SDXL) name");
                }
                yield "lora_unet_" + underscored(path);
            }
            case "text_encoder" -> (xl ? "lora_te1_" : "lora_te_") + underscored(module);
            case "text_encoder_2" -> "lora_te2_" + underscored(module);
            default -> throw new DiffijException("kohya names no component '" + component + "'; use unet, "
                    + "text_encoder or text_encoder_2");
        };
    }

    /**
     * Every name a kohya file may give the modules of the components (modules by component), in
     * either UNet style and with {@code lora_te_} or {@code lora_te1_}, to the module it names.
     */
    public Map<String, Target> index(Map<String, ? extends Collection<String>> modules) {
        Map<String, Target> index = new HashMap<>();
        for (Map.Entry<String, ? extends Collection<String>> component : modules.entrySet()) {
            for (String module : component.getValue()) {
                Target target = new Target(component.getKey(), module);
                switch (component.getKey()) {
                    case "unet" -> {
                        index.put("lora_unet_" + underscored(module), target);
                        String ldm = unet.ldmName(module);
                        if (ldm != null) {
                            index.put("lora_unet_" + underscored(ldm), target);
                        }
                    }
                    case "text_encoder" -> {
                        index.put("lora_te_" + underscored(module), target);
                        index.put("lora_te1_" + underscored(module), target);
                    }
                    case "text_encoder_2" -> index.put("lora_te2_" + underscored(module), target);
                    default -> {
                    }
                }
            }
        }
        return index;
    }

    private static String underscored(String path) {
        return path.replace('.', '_');
    }
}
