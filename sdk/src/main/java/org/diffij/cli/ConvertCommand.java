package org.diffij.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffij.DiffijException;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.TensorInfo;
import org.diffij.io.WeightFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Converts a torch pickle (.pt, .ckpt, .bin, .pth) to .safetensors without running any of it: "
                + "tensors under their flattened names (a checkpoint's state_dict alone), every other value as "
                + "string metadata (JSON, as Python writes it), plus format=pt when the file names no format.",
            "Pickles that name any global outside the allow-list (torch tensors and storages, OrderedDict, set) are "
                + "refused. Never overwrites OUT unless --overwrite is given.",
            "Exit code 2 with a one-line message on bad input."})
final class ConvertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "a torch pickle (or a safetensors file)")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT", description = "the .safetensors file to write")
    Path output;

    @Option(names = "--overwrite", description = "replace OUT if it exists")
    boolean overwrite;

    @Override
    public Integer call() throws IOException {
        if (!output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
            throw new DiffijException(output + ": the output must be a .safetensors file");
        }
        if (Files.exists(output)) {
            if (Files.exists(input) && Files.isSameFile(input, output)) {
                throw new DiffijException(output + ": is the input file; write the conversion elsewhere");
            }
            if (!overwrite) {
                throw new DiffijException(output + ": already exists; pass --overwrite to replace it");
            }
        }
        try (WeightFile source = WeightFile.open(input)) {
            if (source.names().isEmpty()) {
                throw new DiffijException(input + ": holds no tensors; there is nothing to convert");
            }
            Map<String, String> metadata = new LinkedHashMap<>(source.metadata());
            metadata.putIfAbsent("format", "pt");
            SafetensorsWriter.write(output, source, metadata);
            long parameters = source.tensors().stream().mapToLong(TensorInfo::numel).sum();
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%s: %d tensors, %,d parameters, %d metadata entries (from a %s)%n", output,
                    source.names().size(), parameters, metadata.size(), source.format());
        }
        return 0;
    }
}
