package org.diffij.models.checkpoint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.models.unet.UNet2DConditionConfig;

/**
 * The renaming table of the original LDM UNet ({@code model.diffusion_model.*}, same layout for
 * SD1.x, SD2.x and SDXL) to diffusers names. LDM numbers its blocks flatly
 * ({@code input_blocks.N}, {@code output_blocks.N}); which level and layer {@code N} is follows from
 * {@code layers_per_block} of each level, so the table is laid out from the UNet config. It reads
 * both ways: kohya's SDXL LoRA names are these LDM names with {@code _} for {@code .}.
 */
public final class LdmUNetNames {

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
    /** Whether each up block has attentions (its upsampler is then part 2 of the last output block, else part 1). */
    private final boolean[] upHasAttention;

    public LdmUNetNames(UNet2DConditionConfig config) {
        this(config.layersPerBlock(), config.upBlockTypes());
    }

    /**
     * The table for the UNet whose diffusers weight names are given, when its config is not at
     * hand: levels, layers per block and which up blocks have attentions follow from the names.
     */
    public static LdmUNetNames ofWeightNames(Collection<String> names) {
        Pattern down = Pattern.compile("down_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\..*");
        Pattern upAttention = Pattern.compile("up_blocks\\.(\\d+)\\.attentions\\..*");
        int[] layers = new int[0];
        Set<Integer> attended = new HashSet<>();
        for (String name : names) {
            Matcher m = down.matcher(name);
            if (m.matches()) {
                int level = Integer.parseInt(m.group(1));
                if (level >= layers.length) {
                    layers = Arrays.copyOf(layers, level + 1);
                }
                layers[level] = Math.max(layers[level], Integer.parseInt(m.group(2)) + 1);
            }
            Matcher a = upAttention.matcher(name);
            if (a.matches()) {
                attended.add(Integer.parseInt(a.group(1)));
            }
        }
        List<String> upTypes = new ArrayList<>();
        for (int up = 0; up < layers.length; up++) {
            upTypes.add(attended.contains(up) ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        return new LdmUNetNames(layers, upTypes);
    }

    private LdmUNetNames(int[] layersPerBlock, List<String> upBlockTypes) {
        upHasAttention = new boolean[upBlockTypes.size()];
        for (int i = 0; i < upHasAttention.length; i++) {
            upHasAttention[i] = upBlockTypes.get(i).startsWith("CrossAttn");
        }
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
    public String rename(String key) {
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

    private static final Pattern DIFFUSERS_BLOCK = Pattern.compile(
            "(down|up)_blocks\\.(\\d+)\\.(resnets|attentions|downsamplers|upsamplers)\\.(\\d+)\\.(.+)");

    /**
     * The LDM name of a diffusers UNet key or module path (the inverse of {@link #rename}), or null
     * if it has none.
     */
    public String ldmName(String key) {
        // With a trailing dot a module path matches the tables' prefixes as a parameter key does.
        String ldm = ldmKey(key + ".");
        return ldm == null ? null : ldm.substring(0, ldm.length() - 1);
    }

    private String ldmKey(String key) {
        for (Map.Entry<String, String> e : MODULES.entrySet()) {
            if (key.startsWith(e.getValue())) {
                String rest = key.substring(e.getValue().length());
                return e.getKey() + (e.getValue().contains("resnets") ? ldmResnetInner(rest) : rest);
            }
        }
        Matcher m = DIFFUSERS_BLOCK.matcher(key);
        if (!m.matches()) {
            return null;
        }
        int level = Integer.parseInt(m.group(2));
        String kind = m.group(3);
        int layer = Integer.parseInt(m.group(4));
        String rest = m.group(5);
        if (m.group(1).equals("down")) {
            if (kind.equals("downsamplers")) {
                int index = inputBlocks.indexOf("down_blocks." + level + ".downsamplers.0.conv.");
                return index > 0 && rest.startsWith("conv.") ? "input_blocks." + index + ".0.op."
                        + rest.substring("conv.".length()) : null;
            }
            int index = inputBlocks.indexOf("down_blocks." + level + "." + layer);
            if (index < 1 || kind.equals("upsamplers")) {
                return null;
            }
            return kind.equals("resnets") ? "input_blocks." + index + ".0." + ldmResnetInner(rest)
                    : "input_blocks." + index + ".1." + rest;
        }
        if (kind.equals("upsamplers")) {
            int last = outputIndex(level, layersOfUpBlock(level) - 1);
            return last >= 0 && rest.startsWith("conv.") ? "output_blocks." + last + "."
                    + (upHasAttention[level] ? 2 : 1) + "." + rest : null;
        }
        int index = outputIndex(level, layer);
        if (index < 0 || kind.equals("downsamplers")) {
            return null;
        }
        return kind.equals("resnets") ? "output_blocks." + index + ".0." + ldmResnetInner(rest)
                : "output_blocks." + index + ".1." + rest;
    }

    private static String ldmResnetInner(String rest) {
        for (Map.Entry<String, String> e : RESNET.entrySet()) {
            if (rest.startsWith(e.getValue())) {
                return e.getKey() + rest.substring(e.getValue().length());
            }
        }
        return rest;
    }

    private int layersOfUpBlock(int up) {
        return (int) outputBlocks.stream().filter(at -> at[0] == up).count();
    }

    private int outputIndex(int up, int layer) {
        for (int i = 0; i < outputBlocks.size(); i++) {
            if (outputBlocks.get(i)[0] == up && outputBlocks.get(i)[1] == layer) {
                return i;
            }
        }
        return -1;
    }
}
