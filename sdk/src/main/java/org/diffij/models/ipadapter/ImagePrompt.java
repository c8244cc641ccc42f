package org.diffij.models.ipadapter;

import org.diffij.models.clip.ClipVisionModelWithProjection;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.image.ClipImageProcessor;
import org.diffij.image.RgbImage;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.nn.DecoupledCrossAttention;

/**
 * An image prompt of one generation: an IP-Adapter, its CLIP image encoder, the image and the
 * adapter's scale. The image is preprocessed as diffusers does for a pipeline without its own
 * feature extractor ({@code CLIPImageProcessor(size=crop_size=image_size)}).
 */
public record ImagePrompt(IpAdapter adapter, ClipVisionModelWithProjection imageEncoder, RgbImage image,
        float scale) {

    public ImagePrompt {
        if (adapter == null || imageEncoder == null || image == null) {
            throw new DiffijException("an image prompt needs an IP-Adapter, its image encoder and an image");
        }
        if (!Float.isFinite(scale) || Math.abs(scale) > 100) {
            throw new DiffijException("IP-Adapter scale must be a number between -100 and 100, not " + scale);
        }
        if (imageEncoder.config().projectionDim() != adapter.imageEmbedDim()) {
            throw new DiffijException("the image encoder gives " + imageEncoder.config().projectionDim()
                    + "-wide embeddings but the IP-Adapter takes " + adapter.imageEmbedDim()
                    + "; use the adapter's own image_encoder");
        }
    }

    /**
     * The UNet branches for a batch of {@code batch} images; with classifier-free guidance the UNet
     * batch is {@code [unconditional, conditional]} and the unconditional image embeddings are zeros,
     * as in diffusers. The branches live in {@code manager}; the encoder's intermediates do not.
     */
    public Map<String, List<DecoupledCrossAttention.Branch>> branches(NDManager manager, UNet2DConditionConfig unet,
            int batch, boolean guided) {
        try (NDManager scope = manager.newSubManager()) {
            int size = imageEncoder.config().imageSize();
            float[] pixels = ClipImageProcessor.clipDefaults(size).process(rgb8(image), image.width(), image.height());
            NDArray pixelValues = scope.create(pixels, new Shape(1, 3, size, size));
            NDArray embeds = imageEncoder.forward(pixelValues).imageEmbeds();
            NDArray conditional = embeds.repeat(0, batch);
            NDArray all = guided ? NDArrays.concat(new NDList(conditional.zerosLike(), conditional), 0) : conditional;
            Map<String, List<DecoupledCrossAttention.Branch>> branches = adapter.branches(unet,
                    adapter.imageTokens(all), scale);
            branches.values().forEach(list -> list.forEach(b -> {
                b.keys().attach(manager);
                b.values().attach(manager);
            }));
            return branches;
        }
    }

    /** Interleaved 8-bit RGB, rounded as PIL converts the image. */
    private static int[] rgb8(RgbImage image) {
        int[] packed = image.toPackedRgb();
        int[] rgb = new int[3 * packed.length];
        for (int i = 0; i < packed.length; i++) {
            rgb[3 * i] = (packed[i] >> 16) & 0xff;
            rgb[3 * i + 1] = (packed[i] >> 8) & 0xff;
            rgb[3 * i + 2] = packed[i] & 0xff;
        }
        return rgb;
    }
}
