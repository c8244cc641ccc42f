package org.diffij.training;

import java.util.Locale;
import org.diffij.DiffijException;

/**
 * How a folder of images becomes training samples: captions (kohya's options and A1111's template),
 * the resolution with aspect-ratio bucketing or a square crop, and horizontal flips.
 *
 * @param captionExtension the caption file beside each image ({@code .txt}; {@code .caption} is also read)
 * @param template         A1111's caption template ({@code "a photo of [name], [filewords]"}), empty for the
 *                         caption file as it is
 * @param keepTokens       how many leading comma-separated tags stay in place when shuffling
 * @param captionDropout   the probability that a sample's caption is replaced by the empty caption
 * @param bucketing        kohya's aspect-ratio buckets instead of a square crop
 * @param normalise        how gray images given in memory (Fiji's 8/16/32-bit windows) become 8-bit RGB
 */
public record DataOptions(String captionExtension, String template, boolean shuffleCaptions, int keepTokens,
        double captionDropout, int resolution, boolean bucketing, int minBucket, int maxBucket, int bucketStep,
        Crop crop, boolean flip, Normalise normalise) {

    /** How an image is cut to the square training resolution when not bucketing. */
    public enum Crop {
        CENTER, RANDOM;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Crop of(String key) {
            return OptionRanges.choice("crop", values(), key);
        }
    }

    /**
     * How the front end that reads gray images (Fiji's 8/16/32-bit windows) maps their values to 8 bits:
     * {@code display} through the display range the image is shown with, {@code percentile} between each
     * slice's 0.5th and 99.5th percentiles as the conditioning commands do
     * ({@link org.diffij.conditioning.PercentileNormalisation}). Image files of a folder are always
     * min-max normalised per page when read ({@link org.diffij.image.ImageFiles}), so a folder takes
     * only {@code display}.
     */
    public enum Normalise {
        DISPLAY, PERCENTILE;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Normalise of(String key) {
            return OptionRanges.choice("normalise", values(), key);
        }
    }

    public static final DataOptions DEFAULTS = new DataOptions(".txt", "", false, 0, 0, 512, false, 256, 1024, 64,
            Crop.CENTER, false, Normalise.DISPLAY);

    public DataOptions {
        captionExtension = captionExtension == null || captionExtension.isBlank() ? ".txt" : captionExtension.trim();
        if (!captionExtension.startsWith(".")) {
            captionExtension = "." + captionExtension;
        }
        template = template == null ? "" : template;
        OptionRanges.whole("keep_tokens", keepTokens, 0, 1000, "");
        OptionRanges.number("caption_dropout", captionDropout, 0, false, 1, "");
        OptionRanges.whole("resolution", resolution, 64, 4096, ", a multiple of 8");
        requireMultipleOf8("resolution", resolution);
        OptionRanges.whole("bucket_step", bucketStep, 8, 4096, ", a multiple of 8");
        requireMultipleOf8("bucket_step", bucketStep);
        OptionRanges.whole("min_bucket", minBucket, 64, 4096, ", a multiple of bucket_step");
        OptionRanges.whole("max_bucket", maxBucket, 64, 4096, ", a multiple of bucket_step");
        if (minBucket < bucketStep || minBucket > maxBucket || minBucket % bucketStep != 0
                || maxBucket % bucketStep != 0) {
            throw new DiffijException("buckets need bucket_step <= min_bucket <= max_bucket, both multiples of "
                    + "bucket_step; got min_bucket=" + minBucket + " max_bucket=" + maxBucket + " bucket_step="
                    + bucketStep);
        }
        if (crop == null) {
            crop = Crop.CENTER;
        }
        if (normalise == null) {
            normalise = Normalise.DISPLAY;
        }
    }

    private static void requireMultipleOf8(String key, int value) {
        if (value % 8 != 0) {
            throw new DiffijException(key + " must be a multiple of 8 (the latents are 1/8 of the image), not "
                    + value);
        }
    }
}
