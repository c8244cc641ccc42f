package org.diffij.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.diffij.io.ModelSummary;
import org.diffij.io.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Describes a .safetensors file, a torch pickle (.pt, .ckpt, .bin, .pth; read without running "
                + "it), a sharded index, or a diffusers model folder: kind, tensor count, parameters, dtypes, "
                + "component classes; reads headers only.",
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
        return 0;
    }

    private static String dtypes(Map<?, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + "x" + e.getValue()).collect(Collectors.joining(","));
    }

    private static String abbreviate(String value) {
        String flat = value.replaceAll("\\s+", " ");
        return flat.length() > 100 ? flat.substring(0, 97) + "..." : flat;
    }
}
