package org.diffij.training;

/**
 * kohya sd-scripts' aspect-ratio buckets without upscaling ({@code BucketManager.select_bucket} with
 * {@code bucket_no_upscale}): an image larger than the resolution's area is scaled down, keeping its
 * aspect ratio, to that area (rounding width or height to the bucket step, whichever keeps the ratio
 * closer); smaller images keep their size; the bucket is the resized size floored to the step, and
 * the image is cropped to it, never padded. Beyond kohya, a bucket side over {@code maxBucket} scales
 * the image down further, and one under {@code minBucket} is refused by {@link TrainingData}.
 */
public final class Buckets {

    /** The size an image is resized to and the bucket it is cropped to. */
    public record Choice(int resizedWidth, int resizedHeight, int bucketWidth, int bucketHeight) {
    }

    private Buckets() {
    }

    public static Choice select(int width, int height, int resolution, int step, int maxBucket) {
        double maxArea = (double) resolution * resolution;
        double aspect = (double) width / height;
        int resizedWidth = width;
        int resizedHeight = height;
        if ((double) width * height > maxArea) {
            double w = Math.sqrt(maxArea * aspect);
            double h = maxArea / w;
            int widthRounded = roundToSteps(w, step);
            int heightInWidthRounded = roundToSteps(widthRounded / aspect, step);
            double aspectWidthRounded = (double) widthRounded / heightInWidthRounded;
            int heightRounded = roundToSteps(h, step);
            int widthInHeightRounded = roundToSteps(heightRounded * aspect, step);
            double aspectHeightRounded = (double) widthInHeightRounded / heightRounded;
            if (Math.abs(aspectWidthRounded - aspect) < Math.abs(aspectHeightRounded - aspect)) {
                resizedWidth = widthRounded;
                resizedHeight = (int) (widthRounded / aspect + 0.5);
            } else {
                resizedWidth = (int) (heightRounded * aspect + 0.5);
                resizedHeight = heightRounded;
            }
        }
        int longer = Math.max(resizedWidth, resizedHeight);
        if (longer > maxBucket) {
            double shrink = (double) maxBucket / longer;
            resizedWidth = (int) (resizedWidth * shrink + 0.5);
            resizedHeight = (int) (resizedHeight * shrink + 0.5);
        }
        return new Choice(resizedWidth, resizedHeight, resizedWidth - resizedWidth % step,
                resizedHeight - resizedHeight % step);
    }

    private static int roundToSteps(double x, int step) {
        int rounded = (int) (x + 0.5);
        return rounded - rounded % step;
    }
}
