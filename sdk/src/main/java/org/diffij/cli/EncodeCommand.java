package org.diffij.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.text.ClipTokenizer;
import org.diffij.text.TextualInversion;
import org.diffij.text.TokenOverlay;
import org.diffij.text.prompt.A1111Prompt;
import org.diffij.text.prompt.ExtraNetworkTag;
import org.diffij.text.prompt.PromptChunks;
import org.diffij.text.prompt.PromptEncoder;
import org.diffij.text.prompt.PromptSchedule;
import org.diffij.text.prompt.SdxlPromptEncoder;
import org.diffij.text.prompt.WeightedPromptEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = {"Encodes a prompt with a model's text encoder(s) and prints what the UNet would get: "
                + "extra-network tags, the prompt schedule, token ids and weights per 75-token chunk, and the "
                + "statistics of the conditioning tensors (A1111 prompt syntax; plain prompts give exactly "
                + "diffusers' encode_prompt result).",
            "Exit code 2 with a one-line message on bad input (missing model folder, embedding, bad option)."})
public final class EncodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "a diffusers pipeline folder (SD 1.x/2.x, or SDXL with text_encoder_2)")
    Path model;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the prompt")
    String prompt;

    @Option(names = "--clip-skip", paramLabel = "K", defaultValue = "0",
            description = "layers to skip from the end, as diffusers' clip_skip (A1111's 'CLIP skip' N is N - 1); "
                    + "default ${DEFAULT-VALUE}")
    int clipSkip;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20",
            description = "sampling steps, for [from:to:when] and [a|b] schedules; default ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--embedding", paramLabel = "FILE",
            description = "a textual-inversion embedding (.safetensors, or a .pt/.bin torch pickle), used by "
                    + "writing its token; repeatable")
    List<Path> embeddings = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            encode(out);
            return 0;
        } catch (DiffijException e) {
            spec.commandLine().getErr().println("diffij encode: " + e.getMessage());
            return 2;
        }
    }

    private void encode(PrintWriter out) {
        if (!Files.isDirectory(model.resolve("text_encoder")) || !Files.isDirectory(model.resolve("tokenizer"))) {
            throw new DiffijException(model + ": not a diffusers pipeline folder with text_encoder/ and tokenizer/");
        }
        if (clipSkip < 0 || steps < 1) {
            throw new DiffijException("--clip-skip must be 0 or more and --steps 1 or more");
        }
        boolean sdxl = Files.isDirectory(model.resolve("text_encoder_2"));
        List<TextualInversion> inversions = embeddings.stream().map(f -> TextualInversion.load(f, null)).toList();
        A1111Prompt parsed = A1111Prompt.parse(prompt, steps);
        for (ExtraNetworkTag tag : parsed.extraNetworks()) {
            out.printf(Locale.ROOT, "extra network: %s '%s' multiplier %s%n", tag.kind(), tag.name(), tag.multiplier());
        }
        String report = DiffijEngine.get().queue().run("encode prompt", ctx -> {
            NDManager manager = ctx.manager();
            DataType dtype = ctx.engine().computeType();
            StringBuilder text = new StringBuilder();
            WeightedPromptEncoder first = encoder(manager, dtype, "text_encoder", "tokenizer", 0, sdxl, inversions);
            PromptEncoder encoder = sdxl ? new SdxlPromptEncoder(first,
                    encoder(manager, dtype, "text_encoder_2", "tokenizer_2", 1, true, inversions)) : first;
            for (PromptSchedule.Entry entry : parsed.schedule().entries()) {
                text.append(String.format(Locale.ROOT, "up to step %d: \"%s\"%n", entry.endAtStep(), entry.prompt()));
                List<PromptChunks.Chunk> chunks = first.chunks(entry.prompt());
                for (int i = 0; i < chunks.size(); i++) {
                    text.append(String.format(Locale.ROOT, "  chunk %d ids: %s%n", i + 1, ids(chunks.get(i).ids(), first.tokenizer().endId())));
                    String weights = weights(chunks.get(i).weights());
                    if (!weights.isEmpty()) {
                        text.append("  chunk ").append(i + 1).append(" weights (position:weight): ").append(weights)
                                .append('\n');
                    }
                }
                PromptEncoder.Conditioning c = encoder.encode(manager, entry.prompt());
                text.append("  prompt_embeds ").append(stats(c.embeds())).append('\n');
                if (c.pooled() != null) {
                    text.append("  pooled_prompt_embeds ").append(stats(c.pooled())).append('\n');
                }
            }
            return text.toString();
        });
        out.print(report);
        out.flush();
    }

    private WeightedPromptEncoder encoder(NDManager manager, DataType dtype, String encoderFolder, String tokenizerFolder,
            int index, boolean sdxl, List<TextualInversion> inversions) {
        ClipTextModel encoder = ClipTextModel.load(model.resolve(encoderFolder), manager, dtype);
        ClipTokenizer tokenizer = ClipTokenizer.load(model.resolve(tokenizerFolder));
        TokenOverlay overlay = inversions.isEmpty() ? null : TokenOverlay.of(tokenizer, encoder.config().vocabSize(),
                encoder.config().hiddenSize(), index, inversions);
        return sdxl ? WeightedPromptEncoder.sdxl(tokenizer, encoder, overlay, clipSkip)
                : WeightedPromptEncoder.sd(tokenizer, encoder, overlay, clipSkip);
    }

    /** The ids up to the first end token, then how many padding ids follow. */
    private static String ids(long[] ids, int endId) {
        int end = 1;
        while (end < ids.length && ids[end - 1] != endId) {
            end++;
        }
        String shown = Arrays.stream(ids, 0, end).mapToObj(Long::toString).collect(Collectors.joining(" "));
        return end < ids.length ? shown + " + " + (ids.length - end) + " padding" : shown;
    }

    private static String weights(float[] weights) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] != 1f) {
                parts.add(String.format(Locale.ROOT, "%d:%.4g", i, weights[i]));
            }
        }
        return String.join(" ", parts);
    }

    private static String stats(NDArray array) {
        HostTensor host = Tensors.toHost(array);
        float[] values = host.toFloatArray();
        double sum = 0;
        double sumSquares = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (float v : values) {
            sum += v;
            sumSquares += (double) v * v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double mean = sum / values.length;
        double std = Math.sqrt(Math.max(0, sumSquares / values.length - mean * mean));
        return String.format(Locale.ROOT, "%s mean %.6f std %.6f min %.6f max %.6f", Arrays.toString(host.shape()),
                mean, std, min, max);
    }
}
