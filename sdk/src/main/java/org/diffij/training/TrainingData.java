package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.image.ImageFiles;
import org.diffij.image.Resampler;

/**
 * Training images and their captions: a folder, read without modifying anything in it, or samples
 * given in memory ({@link #fromSamples}, e.g. the slices of an open stack), framed the same way.
 *
 * <p>Layout: images directly in the folder (repeated once per epoch) and/or kohya's repeat folders
 * {@code N_token class} (each image repeated N times; {@code token class} is the caption of images
 * without a caption file). A caption is the first line of the same-name {@code .txt} (the
 * configured extension) or {@code .caption} file; an A1111 template replaces {@code [name]} and
 * {@code [filewords]} (the caption, else the file name without leading numbers). A same-name
 * {@code .mask.png} is the image's loss mask. Each page of a multi-page TIFF is one image.
 *
 * <p>Framing: with bucketing, kohya's buckets without upscaling ({@link Buckets}), cropped to the
 * bucket; without, the shorter side resized to the resolution (torchvision's Resize) and a centre
 * or random square crop. Resizing is Pillow's bilinear, as in the diffusers scripts. Random crop
 * offsets are fixed per image (from the seed) so that latents can be cached; flips and caption
 * shuffling/dropout are drawn per epoch and position from the seed, so an epoch's order is a pure
 * function of (seed, epoch) and a checkpoint only records the position.
 */
public final class TrainingData {

    static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif",
            "webp");
    private static final String MASK_SUFFIX = ".mask.png";
    private static final Pattern REPEAT_FOLDER = Pattern.compile("(\\d+)_(.*)");

    /**
     * One training image with its caption, repeat count, framing and optional mask: a page of a file
     * (and a mask file), or an in-memory {@code sample} ({@code file} and {@code mask} null).
     * {@code pixelHash} is the SHA-256 of its 8-bit RGB pixels ({@link TrainingImages#pixelHash}).
     */
    public record Item(Path file, int page, int pages, String caption, int repeats, Framing framing, Path mask,
            ImageSample sample, String pixelHash) {

        public String label() {
            return sample != null ? sample.name() : ImageFiles.label(file, page, pages);
        }

        /** Whether a loss mask restricts this image's loss. */
        public boolean masked() {
            return mask != null || sample != null && sample.mask() != null;
        }

        /** kohya's dataset folder of the image: its file's folder, or the source of an in-memory sample. */
        public String group() {
            return sample != null ? sample.source() : file.getParent().getFileName().toString();
        }
    }

    /**
     * How an image of {@code originalWidth x originalHeight} is brought to its training size: resized
     * to {@code resizedWidth x resizedHeight}, then the {@code width x height} window at
     * {@code (left, top)} taken. SDXL is conditioned on the original size and the crop.
     */
    public record Framing(int originalWidth, int originalHeight, int resizedWidth, int resizedHeight, int left, int top,
            int width, int height) {
    }

    /** One draw of an item in an epoch: the caption after shuffling/dropout and whether it is flipped. */
    public record Sample(Item item, String caption, boolean flip) {
    }

    private final Path folder;
    private final DataOptions options;
    private final long seed;
    private final List<Item> items;

    private TrainingData(Path folder, DataOptions options, long seed, List<Item> items) {
        this.folder = folder;
        this.options = options;
        this.seed = seed;
        this.items = List.copyOf(items);
    }

    /**
     * Reads the folder: every image is decoded once (so bad data fails here, naming the file) for its
     * size, and its caption and framing are fixed. {@code name} is the template's {@code [name]}.
     */
    public static TrainingData scan(Path folder, DataOptions options, String name, long seed) {
        if (!Files.isDirectory(folder)) {
            throw new DiffijException(folder + ": " + (Files.exists(folder) ? "not a folder" : "no such folder")
                    + "; give the folder of training images");
        }
        List<Item> items = new ArrayList<>();
        scanFolder(folder, 1, "", options, name, seed, items);
        for (Path sub : list(folder)) {
            if (!Files.isDirectory(sub) || sub.getFileName().toString().startsWith(".")) {
                continue;
            }
            Matcher repeat = REPEAT_FOLDER.matcher(sub.getFileName().toString());
            if (!repeat.matches() || Integer.parseInt(repeat.group(1)) < 1) {
                throw new DiffijException(sub + ": a subfolder of the training data must be a kohya repeat folder "
                        + "named N_token class (e.g. 10_sks dog); rename it or move it out");
            }
            scanFolder(sub, Integer.parseInt(repeat.group(1)), repeat.group(2).strip(), options, name, seed, items);
        }
        if (items.isEmpty()) {
            throw new DiffijException(folder + ": no training images (PNG, JPEG or TIFF) found");
        }
        return new TrainingData(folder, options, seed, items);
    }

    private static void scanFolder(Path dir, int repeats, String classTokens, DataOptions options, String name,
            long seed, List<Item> items) {
        Map<String, Path> images = new TreeMap<>();
        Map<String, Path> captions = new TreeMap<>();
        for (Path file : list(dir)) {
            String fileName = file.getFileName().toString();
            if (fileName.startsWith(".") || !Files.isRegularFile(file)) {
                continue;
            }
            String lower = fileName.toLowerCase(Locale.ROOT);
            if (lower.endsWith(MASK_SUFFIX)) {
                continue;
            }
            int dot = fileName.lastIndexOf('.');
            String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
            String extension = dot > 0 ? lower.substring(dot + 1) : "";
            if (IMAGE_EXTENSIONS.contains(extension)) {
                Path previous = images.put(stem, file);
                if (previous != null) {
                    throw new DiffijException(file + " and " + previous.getFileName() + " share the name '" + stem
                            + "', so their captions would be the same file; rename one");
                }
            } else if (lower.endsWith(options.captionExtension().toLowerCase(Locale.ROOT))
                    || lower.endsWith(".caption") || lower.endsWith(".txt")) {
                captions.put(stem, file);
            }
        }
        for (Map.Entry<String, Path> caption : captions.entrySet()) {
            if (!images.containsKey(caption.getKey())) {
                throw new DiffijException(caption.getValue() + ": a caption without an image (no "
                        + caption.getKey() + ".png, .jpg or .tif beside it); remove it or add the image");
            }
        }
        for (Map.Entry<String, Path> image : images.entrySet()) {
            Path file = image.getValue();
            String own = readCaption(dir, image.getKey(), options);
            String fileWords = own != null ? own : options.template().isEmpty() ? classTokens
                    : Captions.fileWords(image.getKey());
            String caption = Captions.applyTemplate(options.template(), name, fileWords);
            Path mask = dir.resolve(image.getKey() + MASK_SUFFIX);
            int pages = TrainingImages.pageCount(file);
            for (int page = 0; page < pages; page++) {
                ImageFiles.Page pixels = ImageFiles.read(file, page);
                Random crop = new Random(mix(seed, -2, items.size()));
                Framing framing = frame(ImageFiles.label(file, page, pages), pixels.width(), pixels.height(),
                        options, crop);
                items.add(new Item(file, page, pages, caption, repeats, framing, Files.isRegularFile(mask) ? mask
                        : null, null, TrainingImages.pixelHash(pixels)));
            }
        }
    }

    /**
     * In-memory samples as training data, each drawn once per epoch, framed and captioned by the
     * request's data options as a folder's images are ({@code [filewords]} is the sample's caption,
     * {@code [name]} the request's concept name). Names must be unique: they identify the samples in
     * the provenance and a resume's data check.
     */
    public static TrainingData fromSamples(List<ImageSample> samples, TrainingRequest request) {
        if (samples.isEmpty()) {
            throw new DiffijException("no training images: give at least one image");
        }
        DataOptions options = request.dataOptions();
        Set<String> names = new HashSet<>();
        List<Item> items = new ArrayList<>();
        for (ImageSample sample : samples) {
            if (!names.add(sample.name())) {
                throw new DiffijException("two training samples are both named '" + sample.name()
                        + "'; give each its own name");
            }
            Random crop = new Random(mix(request.seed(), -2, items.size()));
            ImageFiles.Page image = sample.image();
            Framing framing = frame(sample.name(), image.width(), image.height(), options, crop);
            String caption = Captions.applyTemplate(options.template(), Trainer.conceptName(request),
                    sample.caption());
            items.add(new Item(null, 0, 1, caption, 1, framing, null, sample, TrainingImages.pixelHash(image)));
        }
        return new TrainingData(null, options, request.seed(), items);
    }

    private static String readCaption(Path dir, String stem, DataOptions options) {
        for (String extension : new String[] {options.captionExtension(), ".caption", ".txt"}) {
            Path file = dir.resolve(stem + extension);
            if (Files.isRegularFile(file)) {
                try {
                    return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                            .filter(line -> !line.isEmpty()).findFirst().orElse("");
                } catch (IOException e) {
                    throw new DiffijException(file + ": the caption cannot be read (" + e.getMessage()
                            + "); captions must be UTF-8 text", e);
                }
            }
        }
        return null;
    }

    private static Framing frame(String label, int width, int height, DataOptions options, Random random) {
        if (options.bucketing()) {
            Buckets.Choice bucket = Buckets.select(width, height, options.resolution(), options.bucketStep(),
                    options.maxBucket());
            if (Math.min(bucket.bucketWidth(), bucket.bucketHeight()) < options.minBucket()) {
                throw new DiffijException(label + ": " + width + "x" + height + " gives a " + bucket.bucketWidth() + "x"
                        + bucket.bucketHeight() + " bucket, below min_bucket " + options.minBucket()
                        + " (images are never upscaled); use a larger image or a lower min_bucket");
            }
            return crop(width, height, bucket.resizedWidth(), bucket.resizedHeight(), bucket.bucketWidth(),
                    bucket.bucketHeight(), options.crop(), random, false);
        }
        int size = options.resolution();
        int shorter = Math.min(width, height);
        int longer = (int) ((long) size * Math.max(width, height) / shorter);
        int resizedWidth = width <= height ? size : longer;
        int resizedHeight = width <= height ? longer : size;
        return crop(width, height, resizedWidth, resizedHeight, size, size, options.crop(), random, true);
    }

    /** torchvision's CenterCrop rounds the offset half to even; kohya's bucket crop floors it. */
    private static Framing crop(int originalWidth, int originalHeight, int resizedWidth, int resizedHeight, int width,
            int height, DataOptions.Crop crop, Random random, boolean roundToEven) {
        int spareX = resizedWidth - width;
        int spareY = resizedHeight - height;
        int left;
        int top;
        if (crop == DataOptions.Crop.RANDOM) {
            left = random.nextInt(spareX + 1);
            top = random.nextInt(spareY + 1);
        } else if (roundToEven) {
            left = (int) Math.rint(spareX / 2.0);
            top = (int) Math.rint(spareY / 2.0);
        } else {
            left = spareX / 2;
            top = spareY / 2;
        }
        return new Framing(originalWidth, originalHeight, resizedWidth, resizedHeight, left, top, width, height);
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.sorted().toList();
        } catch (AccessDeniedException e) {
            throw new DiffijException(dir + ": permission denied; the training data folder must be readable");
        } catch (NoSuchFileException e) {
            throw new DiffijException(dir + ": no such folder");
        } catch (IOException e) {
            throw new DiffijException(dir + ": cannot be listed (" + e.getMessage() + ")", e);
        }
    }

    /** The folder read, or null for in-memory samples. */
    public Path folder() {
        return folder;
    }

    public List<Item> items() {
        return items;
    }

    /** Draws per epoch: every item as often as its repeat count. */
    public int samplesPerEpoch() {
        return items.stream().mapToInt(Item::repeats).sum();
    }

    /**
     * kohya's {@code ss_bucket_info}: per occupied training size (ordered by width, then height) its
     * resolution {@code [width, height]} and number of draws per epoch, and the mean |aspect ratio of
     * the size − aspect ratio of the image| over the images.
     */
    public Map<String, Object> bucketInfo() {
        Map<List<Integer>, Integer> counts = new TreeMap<>((a, b) -> a.get(0).equals(b.get(0))
                ? Integer.compare(a.get(1), b.get(1)) : Integer.compare(a.get(0), b.get(0)));
        double error = 0;
        for (Item item : items) {
            Framing f = item.framing();
            counts.merge(List.of(f.width(), f.height()), item.repeats(), Integer::sum);
            error += Math.abs((double) f.width() / f.height() - (double) f.originalWidth() / f.originalHeight());
        }
        Map<String, Object> buckets = new LinkedHashMap<>();
        int index = 0;
        for (Map.Entry<List<Integer>, Integer> bucket : counts.entrySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("resolution", bucket.getKey());
            entry.put("count", bucket.getValue());
            buckets.put(Integer.toString(index++), entry);
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("buckets", buckets);
        info.put("mean_img_ar_error", items.isEmpty() ? 0 : error / items.size());
        return info;
    }

    /**
     * The batches of one epoch, the same for the same seed and epoch: the draws grouped by training
     * size (bucket), shuffled within each group, cut into batches of at most {@code batchSize} (kohya
     * keeps a short last batch per bucket), and the batches shuffled.
     */
    public List<List<Sample>> epoch(int epoch, int batchSize) {
        Random order = new Random(mix(seed, epoch, -1));
        Map<String, List<Integer>> byBucket = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            Framing f = items.get(i).framing();
            List<Integer> draws = byBucket.computeIfAbsent(f.width() + "x" + f.height(), k -> new ArrayList<>());
            for (int r = 0; r < items.get(i).repeats(); r++) {
                draws.add(i);
            }
        }
        List<List<Integer>> batches = new ArrayList<>();
        for (List<Integer> draws : byBucket.values()) {
            Collections.shuffle(draws, order);
            for (int start = 0; start < draws.size(); start += batchSize) {
                batches.add(draws.subList(start, Math.min(draws.size(), start + batchSize)));
            }
        }
        Collections.shuffle(batches, order);
        List<List<Sample>> samples = new ArrayList<>();
        int position = 0;
        for (List<Integer> batch : batches) {
            List<Sample> drawn = new ArrayList<>();
            for (int index : batch) {
                Random random = new Random(mix(seed, epoch, position++));
                Item item = items.get(index);
                boolean flip = options.flip() && random.nextBoolean();
                drawn.add(new Sample(item, Captions.process(item.caption(), options, random), flip));
            }
            samples.add(List.copyOf(drawn));
        }
        return List.copyOf(samples);
    }

    private static long mix(long seed, long epoch, long position) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + position * 0x165667B19E3779F9L;
        h ^= h >>> 31;
        return h * 0xBF58476D1CE4E5B9L;
    }

    /** The image of a sample as a (1, 3, H, W) float32 tensor in [-1, 1] (k / 127.5 - 1). */
    public static NDArray pixels(NDManager manager, Sample sample) {
        Item item = sample.item();
        ImageFiles.Page page = item.sample() != null ? item.sample().image()
                : ImageFiles.read(item.file(), item.page());
        int[] interleaved = new int[3 * page.rgb().length];
        for (int i = 0; i < page.rgb().length; i++) {
            interleaved[3 * i] = (page.rgb()[i] >> 16) & 0xff;
            interleaved[3 * i + 1] = (page.rgb()[i] >> 8) & 0xff;
            interleaved[3 * i + 2] = page.rgb()[i] & 0xff;
        }
        float[] planar = framed(interleaved, page.width(), page.height(), 3, item.framing(), sample.flip());
        for (int i = 0; i < planar.length; i++) {
            planar[i] = planar[i] / 127.5f - 1f;
        }
        return manager.create(planar, new Shape(1, 3, item.framing().height(), item.framing().width()));
    }

    /** The loss mask of a sample as (1, 1, H, W) in [0, 1] (white = trained), framed like its image. */
    public static Optional<NDArray> lossMask(NDManager manager, Sample sample) {
        Item item = sample.item();
        if (!item.masked()) {
            return Optional.empty();
        }
        int width;
        int height;
        int[] grey;
        if (item.sample() != null) {
            width = item.sample().image().width();
            height = item.sample().image().height();
            grey = item.sample().mask();
        } else {
            ImageFiles.Page mask = ImageFiles.read(item.mask(), 0);
            width = mask.width();
            height = mask.height();
            grey = new int[mask.rgb().length];
            for (int i = 0; i < grey.length; i++) {
                int rgb = mask.rgb()[i];
                grey[i] = (((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff)) / 3;
            }
        }
        Framing f = item.framing();
        float[] planar = framed(grey, width, height, 1, f, sample.flip());
        for (int i = 0; i < planar.length; i++) {
            planar[i] /= 255f;
        }
        return Optional.of(manager.create(planar, new Shape(1, 1, f.height(), f.width())));
    }

    /** Resize, crop and (optionally) mirror interleaved 8-bit pixels into planar values 0..255. */
    private static float[] framed(int[] interleaved, int width, int height, int channels, Framing f, boolean flip) {
        int[] resized = Resampler.resize8(interleaved, width, height, channels, f.resizedWidth(), f.resizedHeight(),
                Resampler.Filter.BILINEAR);
        float[] planar = new float[channels * f.width() * f.height()];
        for (int y = 0; y < f.height(); y++) {
            for (int x = 0; x < f.width(); x++) {
                int sourceX = f.left() + (flip ? f.width() - 1 - x : x);
                int source = ((f.top() + y) * f.resizedWidth() + sourceX) * channels;
                for (int c = 0; c < channels; c++) {
                    planar[(c * f.height() + y) * f.width() + x] = resized[source + c];
                }
            }
        }
        return planar;
    }

    /** SHA-256 (hex) of {@link #describe()}: what a checkpoint records to detect changed data. */
    public String fingerprint() {
        return fingerprint(describe());
    }

    /** SHA-256 (hex) of description lines such as {@link #describe()}'s. */
    static String fingerprint(Map<String, String> description) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            description.forEach((file, line) -> digest.update((file + "\t" + line + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An item's name in this data: its file relative to the folder ({@code #page} for stacks), or the sample's name. */
    public String name(Item item) {
        return item.sample() != null ? item.sample().name()
                : folder.relativize(item.file()) + (item.pages() > 1 ? "#" + item.page() : "");
    }

    /**
     * The item list in order with sizes and captions (in-memory samples also with their pixels' and
     * mask's hashes, as nothing else tells that they changed): a resume checks that the data did not change.
     */
    public Map<String, String> describe() {
        Map<String, String> lines = new LinkedHashMap<>();
        for (Item item : items) {
            Framing f = item.framing();
            String line = f.width() + "x" + f.height() + " x" + item.repeats() + " " + item.caption();
            if (item.sample() == null) {
                lines.put(name(item), line);
            } else {
                int[] mask = item.sample().mask();
                lines.put(name(item), line + " " + item.pixelHash() + (mask == null ? ""
                        : " mask " + Arrays.hashCode(mask)) + " " + item.sample().geometry());
            }
        }
        return lines;
    }
}
