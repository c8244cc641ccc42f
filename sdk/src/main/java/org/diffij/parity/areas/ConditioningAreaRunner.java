package org.diffij.parity.areas;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.LongType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;
import org.diffij.DiffijException;
import org.diffij.conditioning.Ade20kPalette;
import org.diffij.conditioning.Canny;
import org.diffij.conditioning.CannyParameters;
import org.diffij.conditioning.DepthFromFocus;
import org.diffij.conditioning.NormalMap;
import org.diffij.conditioning.PercentileNormalisation;
import org.diffij.conditioning.SeparableFilter;
import org.diffij.io.HostTensor;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/**
 * The golden area {@code conditioning}: runs each case's {@code params.kind} with this package's
 * preprocessors. Case tensors are row-major [H, W] or [H, W, C]; they are wrapped as ImgLib2 images
 * (x, y[, c]) without reordering the data, channels as a moved axis.
 */
public final class ConditioningAreaRunner implements AreaRunner {

    @Override
    public String area() {
        return "conditioning";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        JsonObject params = golden.params();
        String kind = params.get("kind").getAsString();
        return switch (kind) {
            case "canny" -> canny(golden, unsignedBytes(golden.input("image_u8")), new LinkedHashMap<>());
            case "canny_u16" -> canny16(golden);
            case "gauss_sobel" -> gaussSobel(golden);
            case "depth_from_focus" -> depthFromFocus(golden);
            case "seg_palette" -> Map.of("palette", palette());
            case "seg_colorize" -> Map.of("rgb", toTensor(Ade20kPalette.get().colorize(longs(golden.input("labels")))));
            case "seg_reject" -> segReject(golden);
            case "normal_from_depth" -> normal(golden);
            default -> throw new DiffijException("conditioning case kind '" + kind + "' is not implemented");
        };
    }

    private static Map<String, HostTensor> canny(GoldenCase golden, RandomAccessibleInterval<UnsignedByteType> image,
            Map<String, HostTensor> outputs) {
        JsonObject variants = golden.params().getAsJsonObject("variants");
        for (String name : variants.keySet()) {
            JsonObject v = variants.getAsJsonObject(name);
            CannyParameters p = new CannyParameters(v.get("threshold1").getAsDouble(),
                    v.get("threshold2").getAsDouble(), v.get("apertureSize").getAsInt(),
                    v.get("L2gradient").getAsBoolean());
            outputs.put(name, toTensor(new Canny(p).edges(image)));
        }
        return outputs;
    }

    private static Map<String, HostTensor> canny16(GoldenCase golden) {
        JsonObject normalisation = golden.params().getAsJsonObject("normalisation");
        PercentileNormalisation percentiles = new PercentileNormalisation(normalisation.get("p_low").getAsDouble(),
                normalisation.get("p_high").getAsDouble());
        RandomAccessibleInterval<UnsignedByteType> image8 = percentiles.toUnsignedBytes(longs(golden.input("image_u16")));
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        outputs.put("image_u8", toTensor(image8));
        return canny(golden, image8, outputs);
    }

    private static Map<String, HostTensor> gaussSobel(GoldenCase golden) {
        RandomAccessibleInterval<? extends RealType<?>> image = floats(golden.input("image"));
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        JsonObject variants = golden.params().getAsJsonObject("variants");
        for (String name : variants.keySet()) {
            double sigma = variants.getAsJsonObject(name).get("sigmaX").getAsDouble();
            outputs.put(name, toTensor(SeparableFilter.gaussian(sigma).apply(image)));
        }
        outputs.put("sobel_dx", toTensor(SeparableFilter.sobel(true, 3, 1).apply(image)));
        outputs.put("sobel_dy", toTensor(SeparableFilter.sobel(false, 3, 1).apply(image)));
        return outputs;
    }

    private static Map<String, HostTensor> depthFromFocus(GoldenCase golden) {
        HostTensor stack = golden.input("stack");
        long[] zyx = stack.shape();
        RandomAccessibleInterval<? extends RealType<?>> image =
                ArrayImgs.floats(stack.toFloatArray(), zyx[2], zyx[1], zyx[0]);
        return Map.of("height", toTensor(DepthFromFocus.standard().heightMap(image)));
    }

    private static Map<String, HostTensor> segReject(GoldenCase golden) {
        StringBuilder rejections = new StringBuilder();
        for (String name : golden.inputNames()) {
            try {
                Ade20kPalette.get().colorize(longs(golden.input(name)));
                throw new IllegalStateException("label image " + name + " was accepted");
            } catch (DiffijException e) {
                rejections.append(name).append(": ").append(e.getMessage()).append("; ");
            }
        }
        throw new DiffijException(rejections.toString().trim());
    }

    private static Map<String, HostTensor> normal(GoldenCase golden) {
        JsonObject params = golden.params();
        NormalMap.Result result = new NormalMap(params.get("a").getAsDouble(), params.get("bg_th").getAsDouble())
                .compute(floats(golden.input("depth")));
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        outputs.put("normal", toTensor(result.normal()));
        outputs.put("normal_u8", toTensor(result.normalU8()));
        outputs.put("depth_u8", toTensor(result.depthU8()));
        return outputs;
    }

    private static HostTensor palette() {
        long[] values = new long[Ade20kPalette.CLASSES * 3];
        for (int label = 0; label < Ade20kPalette.CLASSES; label++) {
            int[] rgb = Ade20kPalette.get().colour(label);
            for (int c = 0; c < 3; c++) {
                values[3 * label + c] = rgb[c];
            }
        }
        return HostTensor.ofLongs(values, Ade20kPalette.CLASSES, 3);
    }

    /** An [H, W] or [H, W, 3] tensor of 0..255 integers as an (x, y) or (x, y, c) 8-bit image. */
    private static RandomAccessibleInterval<UnsignedByteType> unsignedBytes(HostTensor tensor) {
        long[] shape = tensor.shape();
        long[] values = tensor.toLongArray();
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] > 255) {
                throw new DiffijException("8-bit image holds " + values[i]);
            }
            bytes[i] = (byte) values[i];
        }
        if (shape.length == 2) {
            return ArrayImgs.unsignedBytes(bytes, shape[1], shape[0]);
        }
        return Views.moveAxis(ArrayImgs.unsignedBytes(bytes, shape[2], shape[1], shape[0]), 0, 2);
    }

    private static RandomAccessibleInterval<LongType> longs(HostTensor tensor) {
        long[] shape = tensor.shape();
        return ArrayImgs.longs(tensor.toLongArray(), shape[1], shape[0]);
    }

    private static RandomAccessibleInterval<? extends RealType<?>> floats(HostTensor tensor) {
        long[] shape = tensor.shape();
        return ArrayImgs.floats(tensor.toFloatArray(), shape[1], shape[0]);
    }

    /** An (x, y) or (x, y, c) image as a row-major [H, W] or [H, W, C] tensor: float32 for float images, else int64. */
    private static HostTensor toTensor(RandomAccessibleInterval<? extends RealType<?>> image) {
        int width = (int) image.dimension(0);
        int height = (int) image.dimension(1);
        int channels = image.numDimensions() == 3 ? (int) image.dimension(2) : 1;
        long[] shape = channels == 1 && image.numDimensions() == 2 ? new long[] {height, width}
                : new long[] {height, width, channels};
        boolean floating = !(image.getType() instanceof IntegerType<?>);
        float[] f = floating ? new float[width * height * channels] : null;
        long[] l = floating ? null : new long[width * height * channels];
        RandomAccess<? extends RealType<?>> access = image.randomAccess();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < channels; c++) {
                    access.setPosition(x, 0);
                    access.setPosition(y, 1);
                    if (image.numDimensions() == 3) {
                        access.setPosition(c, 2);
                    }
                    int i = (y * width + x) * channels + c;
                    if (floating) {
                        f[i] = access.get().getRealFloat();
                    } else {
                        l[i] = (long) access.get().getRealDouble();
                    }
                }
            }
        }
        return floating ? HostTensor.ofFloats(f, shape) : HostTensor.ofLongs(l, shape);
    }
}
