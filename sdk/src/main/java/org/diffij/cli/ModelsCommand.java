package org.diffij.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.diffij.DiffijException;
import org.diffij.hub.HubSettings;
import org.diffij.hub.ModelListing;
import org.diffij.hub.ModelPull;
import org.diffij.hub.RepoReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code diffij models pull|list}: models from the Hugging Face hub and what the cache and model folders hold. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Downloads models from the Hugging Face hub into its cache (shared with diffusers and other "
                + "Python tools) and lists what the cache and the model folders hold.",
            "The cache is $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub; HF_ENDPOINT sets the hub's "
                + "address, HF_TOKEN (or $HF_HOME/token) the token for gated and private repos, HF_HUB_OFFLINE=1 "
                + "forbids requests."},
        subcommands = {ModelsCommand.Pull.class, ModelsCommand.ListModels.class})
final class ModelsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @ParentCommand
    DiffijCli parent;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    HubSettings hub() {
        return parent.hub();
    }

    @Command(name = "pull", mixinStandardHelpOptions = true,
            description = {"Downloads what a pipeline needs from a hub repo (safetensors over .bin, the --variant when "
                    + "the repo has it, no single-file duplicates), resuming an interrupted download.",
                "Examples:",
                "  diffij models pull stable-diffusion-v1-5/stable-diffusion-v1-5 --variant fp16",
                "  diffij models pull h94/IP-Adapter --include \"models/ip-adapter_sd15.safetensors\" "
                        + "--include \"models/image_encoder/*\"",
                "  diffij generate --model stable-diffusion-v1-5/stable-diffusion-v1-5 --prompt \"a cat\""})
    static final class Pull implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @ParentCommand
        ModelsCommand models;

        @Parameters(paramLabel = "REPO[@REV][:PATH]", description = "org/name, optionally a branch, tag or commit "
                + "and a subfolder or file")
        String repo;

        @Option(names = "--variant", paramLabel = "NAME", description = "weights variant to prefer, e.g. fp16")
        String variant;

        @Option(names = "--include", paramLabel = "PATTERN", description = "only the files matching these globs "
                + "(as huggingface_hub's allow_patterns); then no other choice is made")
        List<String> include = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            RepoReference reference = RepoReference.require(repo);
            ProgressLine line = new ProgressLine(out);
            ModelPull.Result result = new ModelPull(models.hub()).pull(reference,
                    new ModelPull.Options(variant, include), line::update);
            line.finish();
            out.printf(Locale.ROOT, "%s at %s: %d files, %s downloaded%n", reference, result.commit(),
                    result.files().size(), ProgressLine.megabytes(result.bytesDownloaded()));
            out.println(result.path());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the models in the hub cache and in the model folders (A1111 and ComfyUI "
                    + "installations included): size, hash (remembered in the Diffij home per file size and mtime), "
                    + "dtypes and kind (from the headers), and what a pipeline would still miss to generate with "
                    + "each.")
    static final class ListModels implements Callable<Integer> {

        private static final String ROW = "  %-44s %10s  %-10s  %-8s %-44s  %s%n";

        @Spec
        CommandSpec spec;

        @ParentCommand
        ModelsCommand models;

        @Option(names = "--models-dir", paramLabel = "DIR", description = "model folders or A1111/ComfyUI "
                + "installations to list besides the hub cache")
        List<Path> folders = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<ModelListing.Place> places = ModelListing.list(models.hub(), folders, null);
            out.printf(Locale.ROOT, ROW, "name", "size", "hash", "dtypes", "kind", "what a pipeline would still miss");
            for (ModelListing.Place place : places) {
                if (place.problem() != null) {
                    throw new DiffijException(place.problem());
                }
                out.println((place.hubCache() ? "hub cache " : "") + place.folder() + ":");
                if (place.hubCache() && place.entries().isEmpty()) {
                    out.println("  (empty)");
                }
                for (ModelListing.Entry entry : place.entries()) {
                    out.printf(Locale.ROOT, ROW, entry.name(), ProgressLine.megabytes(entry.bytes()), entry.hash(),
                            entry.dtypes(), entry.kind(), entry.missing());
                }
            }
            return 0;
        }
    }
}
