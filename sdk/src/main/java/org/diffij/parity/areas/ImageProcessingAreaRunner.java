package org.diffij.parity.areas;

import java.util.Map;
import org.diffij.image.ClipImageProcessor;
import org.diffij.io.HostTensor;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/** Area {@code image_processing}: the CLIP image processor of IP-Adapter image prompts. */
public final class ImageProcessingAreaRunner implements AreaRunner {

    @Override
    public String area() {
        return "image_processing";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        HostTensor image = golden.input("image_u8");
        long[] shape = image.shape();
        long[] pixels = image.toLongArray();
        int[] rgb = new int[pixels.length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (int) pixels[i];
        }
        ClipImageProcessor processor = ClipImageProcessor.fromConfig(golden.params().getAsJsonObject("processor_config"));
        float[] values = processor.process(rgb, (int) shape[1], (int) shape[0]);
        return Map.of("pixel_values", HostTensor.ofFloats(values, 1, 3, processor.cropHeight(), processor.cropWidth()));
    }
}
