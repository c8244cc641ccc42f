package org.diffij.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.diffij.io.ModelSummary;
import org.diffij.io.TensorInfo;
import org.diffij.io.WeightSet;
import org.diffij.models.lora.LoraSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Describes a .safetensors file, a torch pickle (.pt, .ckpt, .bin, .pth; read without running "
                + "it), a sharded index, or a diffusers model folder: kind, tensor count, parameters, dtypes, "
                + "component classes; for an adapter (LoRA, LyCORIS) also its naming format, algorithm, base model, "
                + "ranks, alphas and ss_* training metadata; reads headers only.",
            "Exit code 2 with a one-line message when the file is missing, corrupt, refused or of another format."})
final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "PATH", description = "a .safetensors file, torch pickle, *.index.json, or model folder")
    Path path;

    @Option(names = "--all", description = "list every tensor with shape and dtype")
    boolean all;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelSummary summary = ModelSummary.of(path);
        out.printf(Locale.ROOT, "%s: %s%n", path, summary.kind());
        for (ModelSummary.Part part : summary.parts()) {
            if (part.file() == null) {
                out.printf(Locale.ROOT, "  %-16s %-32s (no weights)%n", part.name(), part.className());
                continue;
            }
            out.printf(Locale.ROOT, "  %-16s %-32s %6d tensors %,15d parameters  %s  %s%n", part.name(),
                    part.className() == null ? "" : part.className(), part.tensors().size(), part.parameters(),
                    dtypes(part.dtypes()), part.file().getFileName());
            if (!part.metadata().isEmpty()) {
                part.metadata().forEach((k, v) -> out.printf("      metadata %s = %s%n", k, abbreviate(v)));
            }
            if (all) {
                for (TensorInfo t : part.tensors()) {
                    out.printf(Locale.ROOT, "      %-70s %-5s %s%n", t.name(), t.dtype(), Arrays.toString(t.shape()));
                }
            }
        }
        out.printf(Locale.ROOT, "total: %d tensors, %,d parameters%n", summary.tensorCount(), summary.parameters());
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".safetensors")) {
            try (WeightSet file = WeightSet.open(path)) {
                LoraSummary adapter = LoraSummary.of(file);
                if (adapter != null) {
                    printAdapter(out, adapter);
                }
            }
        }
        return 0;
    }

    private static void printAdapter(PrintWriter out, LoraSummary a) {
        out.printf(Locale.ROOT, "adapter: %s%n", String.join(", ", a.namings()));
        out.printf(Locale.ROOT, "  algorithm        %s%n", counts(a.algorithms()));
        out.printf(Locale.ROOT, "  base model       %s%n", a.baseArchitecture());
        out.printf(Locale.ROOT, "  rank             %s%n", a.ranks().isEmpty() ? "-" : a.ranks().stream()
                .map(String::valueOf).collect(Collectors.joining(", ")));
        out.printf(Locale.ROOT, "  alpha            %s%n", String.join(", ", a.alphas()));
        out.printf(Locale.ROOT, "  layers           %s%n", counts(a.layers()));
        a.training().forEach((k, v) -> out.printf("  %-16s %s%n", k, abbreviate(v)));
    }

    private static String counts(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + " ×" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String dtypes(Map<?, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + "x" + e.getValue()).collect(Collectors.joining(","));
    }

    private static String abbreviate(String value) {
        String flat = value.replaceAll("\\s+", " ");
        return flat.length() > 100 ? flat.substring(0, 97) + "..." : flat;
    }
}
