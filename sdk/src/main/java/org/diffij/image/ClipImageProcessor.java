package org.diffij.image;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.diffij.DiffijException;

/**
 * The image preprocessing of CLIP vision encoders (IP-Adapter image prompts): shortest edge resized
 * with Pillow's bicubic filter, centre crop, values scaled to 0..1 and normalised by the CLIP mean and
 * standard deviation. Built from a {@code preprocessor_config.json}, or the defaults of CLIP ViT.
 */
public record ClipImageProcessor(int shortestEdge, int cropHeight, int cropWidth, double rescaleFactor,
        float[] mean, float[] std) {

    public static ClipImageProcessor clipDefaults(int size) {
        return new ClipImageProcessor(size, size, size, 1 / 255.0,
                new float[] {0.48145466f, 0.4578275f, 0.40821073f}, new float[] {0.26862954f, 0.26130258f, 0.27577711f});
    }

    public static ClipImageProcessor fromConfig(JsonObject config) {
        JsonObject size = config.getAsJsonObject("size");
        JsonObject crop = config.getAsJsonObject("crop_size");
        if (size == null || !size.has("shortest_edge") || crop == null) {
            throw new DiffijException("image processor config needs size.shortest_edge and crop_size");
        }
        return new ClipImageProcessor(size.get("shortest_edge").getAsInt(), crop.get("height").getAsInt(),
                crop.get("width").getAsInt(), config.has("rescale_factor") ? config.get("rescale_factor")
                        .getAsDouble() : 1 / 255.0, floats(config.getAsJsonArray("image_mean")),
                floats(config.getAsJsonArray("image_std")));
    }

    private static float[] floats(JsonArray array) {
        float[] values = new float[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).getAsFloat();
        }
        return values;
    }

    /**
     * Pixel values of shape [3, cropHeight, cropWidth] (channel-first) from interleaved 8-bit RGB.
     */
    public float[] process(int[] rgb8, int width, int height) {
        int newWidth;
        int newHeight;
        if (width <= height) {
            newWidth = shortestEdge;
            newHeight = (int) ((long) shortestEdge * height / width);
        } else {
            newHeight = shortestEdge;
            newWidth = (int) ((long) shortestEdge * width / height);
        }
        int[] resized = Resampler.resize8(rgb8, width, height, 3, newWidth, newHeight, Resampler.Filter.BICUBIC);
        if (cropWidth > newWidth || cropHeight > newHeight) {
            throw new DiffijException("image processor: crop " + cropWidth + "x" + cropHeight + " is larger than the "
                    + "resized image " + newWidth + "x" + newHeight);
        }
        int top = (newHeight - cropHeight) / 2;
        int left = (newWidth - cropWidth) / 2;
        float[] out = new float[3 * cropHeight * cropWidth];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < cropHeight; y++) {
                for (int x = 0; x < cropWidth; x++) {
                    float value = (float) (resized[((top + y) * newWidth + left + x) * 3 + c] * rescaleFactor);
                    out[(c * cropHeight + y) * cropWidth + x] = (value - mean[c]) / std[c];
                }
            }
        }
        return out;
    }
}
