package org.diffij.pipelines;

import org.diffij.DiffijException;

/**
 * The IP-Adapter image prompt of a request: the adapter file (its CLIP image encoder in the
 * {@code image_encoder/} folder beside it), the image's source and the adapter's scale.
 */
public record IpAdapterPrompt(String adapter, String image, double scale) {

    public static final double DEFAULT_SCALE = 0.6;

    public IpAdapterPrompt {
        require(adapter, "adapter file");
        require(image, "image");
        if (!(scale >= 0 && scale <= 10)) {
            throw new DiffijException("IP-Adapter scale must lie in 0..10, not " + scale);
        }
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank() || value.contains("|") || value.contains(";")) {
            throw new DiffijException("IP-Adapter " + what + " must be a non-empty name without '|' or ';', not '"
                    + value + "'");
        }
    }
}
