package org.diffij.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.hub.HubCache;
import org.diffij.hub.HubSettings;
import org.diffij.hub.ModelFolders;
import org.diffij.hub.ModelPull;
import org.diffij.hub.PipelineGaps;
import org.diffij.hub.RepoReference;
import org.diffij.io.DType;
import org.diffij.io.ModelHash;
import org.diffij.io.ModelSummary;
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
            HubSettings hub = models.hub();
            HubCache cache = new HubCache(hub.cache());
            out.printf(Locale.ROOT, ROW, "name", "size", "hash", "dtypes", "kind", "what a pipeline would still miss");
            out.println("hub cache " + hub.cache() + ":");
            List<HubCache.CachedRepo> repos = cache.repos();
            if (repos.isEmpty()) {
                out.println("  (empty)");
            }
            for (HubCache.CachedRepo repo : repos) {
                for (String ref : repo.refs()) {
                    RepoReference reference = new RepoReference(repo.repo(), ref, "");
                    cache.find(reference).ifPresent(snapshot -> describe(out, hub, repo.repo()
                            + (ref.equals(RepoReference.DEFAULT_REVISION) ? "" : "@" + ref), snapshot));
                }
                if (repo.refs().isEmpty()) {
                    repo.snapshots().forEach(s -> describe(out, hub, repo.repo() + "@" + s.getFileName(), s));
                }
            }
            for (Path folder : ModelFolders.expand(folders)) {
                out.println(folder + ":");
                try (Stream<Path> entries = Files.list(folder)) {
                    for (Path entry : entries.sorted().toList()) {
                        if (Files.isDirectory(entry) || isWeights(entry)) {
                            describe(out, hub, entry.getFileName().toString(), entry);
                        }
                    }
                } catch (IOException e) {
                    throw new DiffijException(folder + ": cannot be listed (" + e.getMessage() + ")", e);
                }
            }
            return 0;
        }

        private static boolean isWeights(Path file) {
            String name = file.getFileName().toString();
            return Stream.of(".safetensors", ".ckpt", ".pt", ".pth", ".bin").anyMatch(name::endsWith);
        }

        private static void describe(PrintWriter out, HubSettings hub, String name, Path path) {
            String kind;
            String dtypes = "";
            try {
                ModelSummary summary = ModelSummary.of(path);
                kind = summary.kind();
                Map<DType, Integer> counts = new TreeMap<>();
                summary.parts().forEach(p -> p.dtypes().forEach((d, n) -> counts.merge(d, n, Integer::sum)));
                dtypes = counts.keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
            } catch (DiffijException e) {
                kind = "not a model Diffij reads (" + e.getMessage() + ")";
            }
            out.printf(Locale.ROOT, ROW, name, ProgressLine.megabytes(bytes(path)), shortHash(path), dtypes, kind,
                    PipelineGaps.describe(path, hub));
        }

        /**
         * The first 10 hex digits of the model's SHA-256: A1111's "Model hash" of a single file (what civitai
         * lists and what generation records), the folder hash of a diffusers folder; "-" for what holds no
         * weights to hash.
         */
        private static String shortHash(Path path) {
            try {
                return ModelHash.of(path).substring(0, 10);
            } catch (DiffijException e) {
                return "-";
            }
        }

        /** The bytes of a file or of the files under a folder, through the cache's symlinks. */
        private static long bytes(Path path) {
            try (Stream<Path> walk = Files.walk(path)) {
                long total = 0;
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    total += Files.size(file);
                }
                return total;
            } catch (IOException e) {
                return -1;
            }
        }
    }
}
