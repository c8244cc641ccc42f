package org.diffij.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.diffij.DiffijException;
import org.diffij.DiffijVersion;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.io.InputFiles;
import org.diffij.pipelines.Adapter;
import org.diffij.pipelines.Control;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.diffij.pipelines.IpAdapterPrompt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generates images with a Stable Diffusion 1.x/2.x/XL model and writes PNGs whose 'parameters' "
                + "text chunk follows A1111's format (readable by A1111/ComfyUI 'PNG info' and by Diffij's Re-run).",
            "Examples:",
            "  diffij generate --model models/sd15 --prompt \"a cat\" --seed 42 --out cat.png",
            "  diffij generate --model models/sd15 --prompt \"a cat\" --init photo.png --strength 0.6",
            "  diffij generate --model models/sd15 --prompt \"a cat\" --control canny=edges.png:0.8 "
                + "--controlnet canny=models/control-canny",
            "  diffij generate --model models/sd15 --prompt \"a cat\" --ip-adapter models/ip-adapter_sd15.safetensors "
                + "--ip-image style.png --ip-scale 0.6"})
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    DiffijCli parent;

    @Option(names = "--model", required = true,
            description = "diffusers model folder, single-file .safetensors checkpoint, name in "
                    + "--models-dir, or hub repo id org/name[@rev][:subfolder] in the hub cache")
    String model;

    @Option(names = "--config", description = "for a single-file checkpoint: a diffusers folder of the same "
            + "architecture giving the component configs and tokenizer (default: the hub repo diffusers takes them "
            + "from, in the hub cache)")
    Path config;

    @Option(names = "--prompt", required = true, description = "what to generate")
    String prompt;

    @Option(names = "--negative", defaultValue = "", description = "what to avoid")
    String negative;

    @Option(names = "--sampler", defaultValue = "DPM++ 2M Karras",
            description = "A1111 or diffusers name (default: ${DEFAULT-VALUE})")
    String sampler;

    @Option(names = "--steps", defaultValue = "25", description = "denoising steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--cfg", defaultValue = "7", description = "guidance scale (default: ${DEFAULT-VALUE})")
    double cfg;

    @Option(names = "--seed", defaultValue = "0", description = "random seed; -1 draws one, which the images record (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--width", description = "width, rounded to a multiple of 8 (default: the init image's, "
            + "else the model's own: 512 for SD 1.x, 1024 for SDXL, 64 for demo)")
    Integer width;

    @Option(names = "--height", description = "height, rounded to a multiple of 8 (default: as --width)")
    Integer height;

    @Option(names = "--batch", defaultValue = "1", description = "images per run (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--init", description = "init image for image-to-image / inpainting")
    Path init;

    @Option(names = "--strength", defaultValue = "0.75",
            description = "denoising strength with --init (default: ${DEFAULT-VALUE}; inpainting with --mask: 1)")
    double strength;

    @Option(names = "--mask", description = "inpainting mask (white = repaint), same size as --init")
    Path mask;

    @Option(names = "--only-masked", paramLabel = "PADDING", description = "with --mask: A1111's 'inpaint area: "
            + "only masked': generate only the mask's bounding box grown by PADDING pixels, at --width x --height, "
            + "and paste it back into the init image (the output has the init image's size)")
    Integer onlyMaskedPadding;

    @Option(names = "--control", paramLabel = "TYPE=IMG[:SCALE[:START[:END]]]",
            description = "a control image (already an edge/depth/... map) for the ControlNet of TYPE")
    List<String> controls = new ArrayList<>();

    @Option(names = "--controlnet", paramLabel = "TYPE=DIR", description = "the ControlNet model folder of TYPE")
    Map<String, String> controlNets = new LinkedHashMap<>();

    @Option(names = "--ip-adapter", paramLabel = "FILE", description = "an IP-Adapter .safetensors file with its CLIP "
            + "image encoder in the image_encoder/ folder beside it (h94/IP-Adapter layout); needs --ip-image")
    String ipAdapter;

    @Option(names = "--ip-image", paramLabel = "IMG", description = "the image prompt for --ip-adapter")
    Path ipImage;

    @Option(names = "--ip-scale", defaultValue = "0.6",
            description = "how strongly the image prompt acts, 0..10 (default: ${DEFAULT-VALUE})")
    double ipScale;

    @Option(names = "--vae", paramLabel = "FILE_OR_REPO", description = "a separate VAE in place of the model's own "
            + "(as A1111's VAE setting, e.g. vae-ft-mse-840000-ema-pruned.safetensors): a VAE file, a diffusers VAE "
            + "folder, a name in --models-dir or a hub repo id such as stabilityai/sd-vae-ft-mse; recorded as VAE and "
            + "VAE hash")
    String vae;

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "folders where names in --model, <lora:NAME:W> tags, --controlnet and --ip-adapter are "
                    + "looked up")
    List<Path> modelFolders = new ArrayList<>();

    @Option(names = "--embedding", paramLabel = "FILE_OR_NAME", description = "a textual-inversion embedding "
            + "(.safetensors, or a .pt/.bin torch pickle; a path or a name in --models-dir), used by writing its "
            + "token (the file name) in the prompt; repeatable. Embeddings in --models-dir named in the prompt "
            + "are applied without it, as in A1111")
    List<String> embeddings = new ArrayList<>();

    @Option(names = "--clip-skip", defaultValue = "1", description = "A1111 clip skip (default: ${DEFAULT-VALUE})")
    int clipSkip;

    @Option(names = "--noise", defaultValue = "cpu",
            description = "cpu: torch CPU noise (diffusers, ComfyUI); gpu: A1111's default noise (default: ${DEFAULT-VALUE})")
    String noise;

    @Option(names = "--out", defaultValue = "diffij.png", description = "output PNG (default: ${DEFAULT-VALUE}); "
            + "a batch adds -1, -2, ...")
    Path out;

    @Option(names = "--overwrite", description = "replace existing output files")
    boolean overwrite;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        Generator generator = new Generator(Generator.inFolders(modelFolders, parent.hub()), config, parent.hub(),
                DiffijVersion.label()).withEmbeddingFolders(modelFolders);
        int[] size = size(console, generator);
        GenerationRequest request = request(size[0], size[1]);
        request.notes(seed, size[0], size[1]).forEach(console::println);
        List<Path> targets = new ArrayList<>();
        for (int i = 0; i < request.batchSize(); i++) {
            Path target = i == 0 ? out : sibling(out, "-" + i);
            if (Files.exists(target) && !overwrite) {
                throw new DiffijException(target + " exists; choose another --out or pass --overwrite");
            }
            targets.add(target);
        }
        GenerationResult result = generator.submit(request, source -> PngFiles.read(Path.of(source)), (done, total, message) -> {
                    console.println(message);
                    console.flush();
                }).await();
        result.notes().forEach(console::println);
        for (int i = 0; i < result.images().size(); i++) {
            RgbImage image = result.images().get(i);
            PngFiles.write(targets.get(i), image, Map.of("parameters", result.parameters(i)));
            console.println("wrote " + targets.get(i));
        }
        console.printf(Locale.ROOT, "%.2f s%n", result.seconds());
        return 0;
    }

    /**
     * The asked size: --width/--height; for an init image without them, the init image's own size (as
     * Fiji uses the source's); else the model's own for what they leave open (as diffusers does), said
     * on the console when it is not the usual 512.
     */
    private int[] size(PrintWriter console, Generator generator) {
        if (width != null && height != null) {
            return new int[] {width, height};
        }
        if (init != null && width == null && height == null) {
            RgbImage initImage = PngFiles.read(init);
            console.println("size " + initImage.width() + "x" + initImage.height() + " from the init image "
                    + "(--width/--height set another)");
            return new int[] {initImage.width(), initImage.height()};
        }
        int side = generator.nativeSide(model);
        if (side != Generator.DEFAULT_SIDE) {
            console.println("size " + side + " (the model's own) where --width/--height do not set it");
        }
        return new int[] {width != null ? width : side, height != null ? height : side};
    }

    private GenerationRequest request(int width, int height) {
        List<Control> list = new ArrayList<>();
        for (String spec : controls) {
            int equals = spec.indexOf('=');
            if (equals <= 0) {
                throw new DiffijException("--control takes TYPE=IMG[:SCALE[:START[:END]]], not '" + spec + "'");
            }
            String type = spec.substring(0, equals);
            String[] parts = spec.substring(equals + 1).split(":");
            String modelFolder = controlNets.get(type);
            if (modelFolder == null) {
                throw new DiffijException("no ControlNet model for '" + type + "': add --controlnet " + type + "=DIR");
            }
            if (parts.length > 4) {
                throw new DiffijException("--control takes TYPE=IMG[:SCALE[:START[:END]]], not '" + spec + "'");
            }
            // TYPE=IMG:SCALE:START acts from START to the end.
            double scale = parts.length > 1 ? number("control scale", parts[1]) : 1.0;
            double start = parts.length > 2 ? number("control start", parts[2]) : 0.0;
            double end = parts.length > 3 ? number("control end", parts[3]) : 1.0;
            list.add(new Control(type, modelFolder, parts[0], scale, start, end));
        }
        boolean image = init != null;
        if (mask != null && !image) {
            throw new DiffijException("--mask needs --init, the image to paint into");
        }
        if (onlyMaskedPadding != null && mask == null) {
            throw new DiffijException("--only-masked needs --mask, the area to repaint");
        }
        if (mask != null) {
            RgbImage initImage = PngFiles.read(init);
            RgbImage maskImage = PngFiles.read(mask);
            if (initImage.width() != maskImage.width() || initImage.height() != maskImage.height()) {
                throw new DiffijException("the mask is " + maskImage.width() + "x" + maskImage.height()
                        + " but the init image is " + initImage.width() + "x" + initImage.height()
                        + "; give a mask of the image's size");
            }
        }
        double effectiveStrength = !image ? 1.0 : mask != null && !spec.commandLine().getParseResult()
                .hasMatchedOption("--strength") ? 1.0 : strength;
        return GenerationRequest.of(model, prompt).withNegativePrompt(negative).withSampling(sampler, steps, cfg)
                .withSeed(seed).withSize(width, height, batch)
                .withInit(image ? init.toString() : "", mask == null ? "" : mask.toString(), effectiveStrength)
                .withOnlyMasked(onlyMaskedPadding == null ? GenerationRequest.WHOLE_PICTURE : onlyMaskedPadding)
                .withControls(list).withClipSkip(clipSkip, noise).withImagePrompt(imagePrompt())
                .withVae(vae == null ? "" : vae)
                .withAdapters(embeddings.stream().map(e -> new Adapter(Adapter.Kind.EMBEDDING, e, 1)).toList());
    }

    private IpAdapterPrompt imagePrompt() {
        if (ipAdapter == null && ipImage == null) {
            if (spec.commandLine().getParseResult().hasMatchedOption("--ip-scale")) {
                throw new DiffijException("--ip-scale needs --ip-adapter FILE and --ip-image IMG");
            }
            return null;
        }
        if (ipAdapter == null) {
            throw new DiffijException("--ip-image needs --ip-adapter FILE, the IP-Adapter that reads it");
        }
        if (ipImage == null) {
            throw new DiffijException("--ip-adapter needs --ip-image IMG, the image prompt");
        }
        String problem = InputFiles.fileProblem(ipImage);
        if (problem != null) {
            throw new DiffijException("--ip-image " + ipImage + ": " + problem);
        }
        return new IpAdapterPrompt(ipAdapter, ipImage.toString(), ipScale);
    }

    private static double number(String what, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new DiffijException(what + " must be a number, not '" + text + "'");
        }
    }

    private static Path sibling(Path file, String suffix) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String extension = dot > 0 ? name.substring(dot) : ".png";
        return file.resolveSibling(stem + suffix + extension);
    }
}
