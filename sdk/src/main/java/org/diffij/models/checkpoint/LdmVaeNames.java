package org.diffij.models.checkpoint;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The renaming table of the original LDM autoencoder ({@code first_stage_model.*}) to diffusers'
 * AutoencoderKL names and back. LDM numbers decoder levels from the bottom, diffusers from the top.
 */
final class LdmVaeNames {

    private static final Map<String, String> MID = Map.of(
            "mid.block_1.", "mid_block.resnets.0.",
            "mid.block_2.", "mid_block.resnets.1.",
            "mid.attn_1.norm.", "mid_block.attentions.0.group_norm.",
            "mid.attn_1.q.", "mid_block.attentions.0.to_q.",
            "mid.attn_1.k.", "mid_block.attentions.0.to_k.",
            "mid.attn_1.v.", "mid_block.attentions.0.to_v.",
            "mid.attn_1.proj_out.", "mid_block.attentions.0.to_out.0.",
            "norm_out.", "conv_norm_out.");

    private static final Pattern LEVEL = Pattern.compile(
            "(encoder\\.down|decoder\\.up)\\.(\\d+)\\.(block\\.(\\d+)|downsample|upsample)\\.(.*)");

    private final int levels;

    LdmVaeNames(int levels) {
        this.levels = levels;
    }

    /** The diffusers name of an LDM VAE key (without {@code first_stage_model.}), or null if it is not one. */
    String rename(String key) {
        if (key.startsWith("quant_conv.") || key.startsWith("post_quant_conv.")) {
            return key;
        }
        int dot = key.indexOf('.');
        if (dot < 0) {
            return null;
        }
        String half = key.substring(0, dot + 1);
        String rest = key.substring(dot + 1);
        if (!half.equals("encoder.") && !half.equals("decoder.")) {
            return null;
        }
        if (rest.startsWith("conv_in.") || rest.startsWith("conv_out.")) {
            return key;
        }
        for (Map.Entry<String, String> e : MID.entrySet()) {
            if (rest.startsWith(e.getKey())) {
                return half + e.getValue() + resnetInner(rest.substring(e.getKey().length()));
            }
        }
        Matcher m = LEVEL.matcher(key);
        if (!m.matches()) {
            return null;
        }
        int level = Integer.parseInt(m.group(2));
        boolean decoder = m.group(1).startsWith("decoder");
        if (level >= levels) {
            return null;
        }
        String block = (decoder ? "decoder.up_blocks." + (levels - 1 - level) : "encoder.down_blocks." + level) + ".";
        String inner = m.group(5);
        if (m.group(4) != null) {
            return block + "resnets." + m.group(4) + "." + resnetInner(inner);
        }
        if (!inner.startsWith("conv.")) {
            return null;
        }
        return block + (decoder ? "upsamplers.0." : "downsamplers.0.") + inner;
    }

    private static final Pattern DIFFUSERS_LEVEL = Pattern.compile("(encoder\\.down_blocks|decoder\\.up_blocks)"
            + "\\.(\\d+)\\.(resnets\\.(\\d+)|downsamplers\\.0|upsamplers\\.0)\\.(.*)");

    /** The LDM name of a diffusers AutoencoderKL key (the inverse of {@link #rename}), or null if it has none. */
    String ldmName(String name) {
        if (name.startsWith("quant_conv.") || name.startsWith("post_quant_conv.")) {
            return name;
        }
        int dot = name.indexOf('.');
        String half = dot < 0 ? "" : name.substring(0, dot + 1);
        if (!half.equals("encoder.") && !half.equals("decoder.")) {
            return null;
        }
        String rest = name.substring(dot + 1);
        if (rest.startsWith("conv_in.") || rest.startsWith("conv_out.")) {
            return name;
        }
        for (Map.Entry<String, String> e : MID.entrySet()) {
            if (rest.startsWith(e.getValue())) {
                return half + e.getKey() + ldmResnetInner(rest.substring(e.getValue().length()));
            }
        }
        Matcher m = DIFFUSERS_LEVEL.matcher(name);
        if (!m.matches()) {
            return null;
        }
        boolean decoder = m.group(1).startsWith("decoder");
        int level = Integer.parseInt(m.group(2));
        if (level >= levels) {
            return null;
        }
        String block = decoder ? "decoder.up." + (levels - 1 - level) + "." : "encoder.down." + level + ".";
        if (m.group(4) != null) {
            return block + "block." + m.group(4) + "." + ldmResnetInner(m.group(5));
        }
        return m.group(5).startsWith("conv.") ? block + (decoder ? "upsample." : "downsample.") + m.group(5) : null;
    }

    private static String ldmResnetInner(String rest) {
        return rest.startsWith("conv_shortcut.") ? "nin_shortcut." + rest.substring("conv_shortcut.".length()) : rest;
    }

    /** Whether the tensor is a 1×1 conv weight that diffusers keeps as a linear weight. */
    static boolean isAttentionProjection(String diffusersName) {
        return diffusersName.contains("mid_block.attentions.0.to_") && diffusersName.endsWith(".weight");
    }

    private static String resnetInner(String rest) {
        return rest.startsWith("nin_shortcut.") ? "conv_shortcut." + rest.substring("nin_shortcut.".length()) : rest;
    }
}
