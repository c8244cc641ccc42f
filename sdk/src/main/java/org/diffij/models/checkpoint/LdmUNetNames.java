package org.diffij.models.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The renaming table of the original LDM UNet ({@code model.diffusion_model.*}, same layout for
 * SD1.x, SD2.x and SDXL) to diffusers names. LDM numbers its blocks flatly
 * ({@code input_blocks.N}, {@code output_blocks.N}); which level and layer {@code N} is follows from
 * {@code layers_per_block} of each level, so the table is laid out from the UNet config.
 */
final class LdmUNetNames {

    /** Fixed module renames. */
    private static final Map<String, String> MODULES = Map.of(
            "time_embed.0.", "time_embedding.linear_1.",
            "time_embed.2.", "time_embedding.linear_2.",
            "label_emb.0.0.", "add_embedding.linear_1.",
            "label_emb.0.2.", "add_embedding.linear_2.",
            "input_blocks.0.0.", "conv_in.",
            "out.0.", "conv_norm_out.",
            "out.2.", "conv_out.",
            "middle_block.0.", "mid_block.resnets.0.",
            "middle_block.1.", "mid_block.attentions.0.",
            "middle_block.2.", "mid_block.resnets.1.");

    /** Inside a ResBlock. */
    private static final Map<String, String> RESNET = Map.of(
            "in_layers.0.", "norm1.",
            "in_layers.2.", "conv1.",
            "emb_layers.1.", "time_emb_proj.",
            "out_layers.0.", "norm2.",
            "out_layers.3.", "conv2.",
            "skip_connection.", "conv_shortcut.");

    private static final Pattern NUMBERED = Pattern.compile("(input_blocks|output_blocks)\\.(\\d+)\\.(\\d+)\\.(.*)");

    /** Diffusers prefixes of {@code input_blocks.N.0} and {@code input_blocks.N.1} by N (N ≥ 1). */
    private final List<String> inputBlocks = new ArrayList<>();
    private final List<Boolean> inputIsDownsample = new ArrayList<>();
    /** Diffusers up block and layer of {@code output_blocks.N} by N. */
    private final List<int[]> outputBlocks = new ArrayList<>();

    LdmUNetNames(int[] layersPerBlock) {
        int levels = layersPerBlock.length;
        inputBlocks.add(null);
        inputIsDownsample.add(false);
        for (int level = 0; level < levels; level++) {
            for (int layer = 0; layer < layersPerBlock[level]; layer++) {
                inputBlocks.add("down_blocks." + level + "." + layer);
                inputIsDownsample.add(false);
            }
            if (level < levels - 1) {
                inputBlocks.add("down_blocks." + level + ".downsamplers.0.conv.");
                inputIsDownsample.add(true);
            }
        }
        for (int up = 0; up < levels; up++) {
            for (int layer = 0; layer <= layersPerBlock[levels - 1 - up]; layer++) {
                outputBlocks.add(new int[] {up, layer});
            }
        }
    }

    /** The diffusers name of an LDM UNet key (without {@code model.diffusion_model.}), or null if it is not one. */
    String rename(String key) {
        for (Map.Entry<String, String> e : MODULES.entrySet()) {
            if (key.startsWith(e.getKey())) {
                String rest = key.substring(e.getKey().length());
                return e.getValue() + (e.getValue().contains("resnets") ? resnetInner(rest) : rest);
            }
        }
        Matcher m = NUMBERED.matcher(key);
        if (!m.matches()) {
            return null;
        }
        int index = Integer.parseInt(m.group(2));
        int part = Integer.parseInt(m.group(3));
        String rest = m.group(4);
        return m.group(1).equals("input_blocks") ? input(index, part, rest) : output(index, part, rest);
    }

    private String input(int index, int part, String rest) {
        if (index < 1 || index >= inputBlocks.size()) {
            return null;
        }
        String block = inputBlocks.get(index);
        if (inputIsDownsample.get(index)) {
            return part == 0 && rest.startsWith("op.") ? block + rest.substring("op.".length()) : null;
        }
        int dot = block.lastIndexOf('.');
        String level = block.substring(0, dot);
        String layer = block.substring(dot + 1);
        return switch (part) {
            case 0 -> level + ".resnets." + layer + "." + resnetInner(rest);
            case 1 -> level + ".attentions." + layer + "." + rest;
            default -> null;
        };
    }

    private String output(int index, int part, String rest) {
        if (index >= outputBlocks.size()) {
            return null;
        }
        int[] at = outputBlocks.get(index);
        String block = "up_blocks." + at[0] + ".";
        if (part == 0) {
            return block + "resnets." + at[1] + "." + resnetInner(rest);
        }
        if (rest.startsWith("conv.") && (part == 1 || part == 2)) {
            return block + "upsamplers.0.conv." + rest.substring("conv.".length());
        }
        return part == 1 ? block + "attentions." + at[1] + "." + rest : null;
    }

    private static String resnetInner(String rest) {
        for (Map.Entry<String, String> e : RESNET.entrySet()) {
            if (rest.startsWith(e.getKey())) {
                return e.getValue() + rest.substring(e.getKey().length());
            }
        }
        return rest;
    }
}
