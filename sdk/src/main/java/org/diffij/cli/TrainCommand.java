package org.diffij.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffij.DiffijException;
import org.diffij.DiffijVersion;
import org.diffij.engine.JobHandle;
import org.diffij.hub.HubSettings;
import org.diffij.pipelines.Generator;
import org.diffij.training.Trainer;
import org.diffij.training.TrainingRequest;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * {@code diffij train lora|ti ...}: one subcommand per method whose options are the
 * {@link TrainingRequest}'s keys ({@code --lr-text-encoder} is {@code lr_text_encoder}) with the
 * method's defaults, so the command line, the macro string and the provenance in the trained file
 * agree; built from the request's own key list rather than written out again.
 */
final class TrainCommand {

    private static final List<TrainingRequest.Method> METHODS = List.of(TrainingRequest.Method.LORA,
            TrainingRequest.Method.TI, TrainingRequest.Method.DREAMBOOTH, TrainingRequest.Method.HYPERNETWORK);

    private TrainCommand() {
    }

    /** {@code hub}: where models named by repo id and single-file checkpoints' configs are found. */
    static CommandLine commandLine(HubSettings hub) {
        CommandSpec[] self = new CommandSpec[1];
        CommandSpec train = CommandSpec.wrapWithoutInspection((Runnable) () -> self[0].commandLine()
                .usage(self[0].commandLine().getOut()));
        self[0] = train;
        train.name("train").mixinStandardHelpOptions(true);
        train.usageMessage().description("Trains on a folder of images: a LoRA, a textual-inversion embedding, "
                + "a DreamBooth fine-tune of the whole model or an A1111 hypernetwork. Ctrl-C stops at the end of the "
                + "current step and writes a checkpoint that --resume continues exactly.", "Examples:",
                "  diffij train lora --model models/sd15 --data photos/ --output my-cat.safetensors --steps 800",
                "  diffij train ti --model models/sd15 --data photos/ --output my-cat.safetensors --token my-cat "
                        + "--init-word cat --template \"a photo of [name]\"",
                "  diffij train dreambooth --model models/sd15 --data photos/ --output sks-dog --template \"a photo "
                        + "of sks dog\" --class-prompt \"a photo of dog\" --class-dir dogs/ "
                        + "--formats diffusers,single_file",
                "  diffij train hypernetwork --model models/sd15 --data photos/ --output my-style.pt "
                        + "--layer-structure 1,2,1 --activation relu --lr 5e-6",
                "  diffij train lora ... --resume my-cat-checkpoint.safetensors");
        CommandLine cli = new CommandLine(train);
        for (TrainingRequest.Method method : METHODS) {
            cli.addSubcommand(method.key(), methodCommand(method, hub));
        }
        return cli;
    }

    private static CommandLine methodCommand(TrainingRequest.Method method, HubSettings hub) {
        CommandSpec[] self = new CommandSpec[1];
        CommandSpec spec = CommandSpec.wrapWithoutInspection((Callable<Integer>) () -> run(method, hub,
                self[0].commandLine().getParseResult(), self[0].commandLine().getOut()));
        self[0] = spec;
        spec.name(method.key()).mixinStandardHelpOptions(true);
        spec.usageMessage().description("Trains a " + switch (method) {
            case LORA -> "LoRA (defaults of kohya's train_network: rank 4, alpha 4, lr 1e-4, AdamW, constant).";
            case TI -> "textual-inversion embedding (defaults of diffusers' script: 1 vector, lr 5e-4, 3000 steps).";
            case DREAMBOOTH -> "DreamBooth fine-tune of the UNet (defaults of diffusers' train_dreambooth.py: lr 5e-6, "
                    + "100 class images generated into --class-dir when missing, prior loss weight 1, max_grad_norm "
                    + "1); writes a diffusers folder and/or a single-file checkpoint.";
            case HYPERNETWORK -> "A1111 hypernetwork (A1111's defaults: layer structure 1,2,1, linear, Normal init, "
                    + "lr 1e-5, saved as .pt).";
            default -> method.key() + ".";
        });
        spec.usageMessage().sortOptions(false);
        Map<String, String> defaults = TrainingRequest.defaults(method, "-", "-", "").toOptions();
        defaults.forEach((key, value) -> {
            if (key.equals("method")) {
                return;
            }
            boolean required = key.equals("model") || key.equals("data") || key.equals("output");
            OptionSpec.Builder option = OptionSpec.builder("--" + key.replace('_', '-')).paramLabel(key.toUpperCase())
                    .type(String.class).required(required).description(TrainingRequest.help(key)
                            + (required || value.isEmpty() ? "" : " (default: " + value + ")"));
            spec.addOption(option.build());
        });
        spec.addOption(OptionSpec.builder("--resume").paramLabel("CHECKPOINT").type(Path.class)
                .description("continue the run a checkpoint was written by (the same request)").build());
        spec.addOption(OptionSpec.builder("--overwrite").type(boolean.class).arity("0")
                .description("replace an existing output").build());
        spec.addOption(OptionSpec.builder("--config").paramLabel("DIR").type(Path.class)
                .description("for a single-file checkpoint: a diffusers folder of the same architecture").build());
        spec.addOption(OptionSpec.builder("--models-dir").paramLabel("DIR").type(Path[].class)
                .description("folders where --model is looked up by name").build());
        return new CommandLine(spec);
    }

    private static int run(TrainingRequest.Method method, HubSettings hub, ParseResult parsed, PrintWriter console) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("method", method.key());
        for (OptionSpec option : parsed.matchedOptions()) {
            String name = option.longestName().substring(2);
            if (!List.of("resume", "overwrite", "config", "models-dir").contains(name)) {
                options.put(name.replace('-', '_'), option.getValue());
            }
        }
        TrainingRequest request = TrainingRequest.fromOptions(options);
        Path resume = parsed.matchedOptionValue("--resume", null);
        boolean overwrite = parsed.matchedOptionValue("--overwrite", false);
        Path[] folders = parsed.matchedOptionValue("--models-dir", new Path[0]);
        Trainer trainer = new Trainer(Generator.inFolders(List.of(folders), hub), parsed.matchedOptionValue("--config",
                null), hub, DiffijVersion.label());
        console.println("diffij train " + request.toMacroOptions());
        JobHandle<Trainer.Result> handle = trainer.submit(request, resume, overwrite, (done, total, message) -> {
            console.println(message);
            console.flush();
        }, null);
        // Ctrl-C: stop after the current step; the run writes its checkpoint before the JVM exits.
        Thread stop = new Thread(() -> {
            handle.cancel();
            awaitQuietly(handle);
        }, "diffij-train-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        Trainer.Result result;
        try {
            result = handle.await();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for the checkpoint
            }
        }
        List<String> lines = new ArrayList<>();
        if (result.finished()) {
            lines.add(String.format(java.util.Locale.ROOT, "trained %d steps in %.1f s, mean loss %.4f", result.steps(),
                    result.seconds(), result.meanLoss()));
            result.outputs().forEach(p -> lines.add("wrote " + p));
        } else {
            lines.add("stopped at step " + result.steps() + "; resume with --resume " + result.checkpoint());
        }
        result.samples().forEach(p -> lines.add("sample " + p));
        lines.forEach(console::println);
        return 0;
    }

    private static void awaitQuietly(JobHandle<Trainer.Result> handle) {
        try {
            handle.await();
        } catch (DiffijException e) {
            // reported by the main thread when it is still alive
        }
    }
}
