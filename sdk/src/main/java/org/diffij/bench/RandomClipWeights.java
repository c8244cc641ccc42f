package org.diffij.bench;

import org.diffij.models.clip.ClipTextConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;

/**
 * Seeded random weights with the names and shapes of a CLIP text encoder, drawn when read: for
 * benchmarks at full size and for tests, where no real checkpoint is available. Matrices are
 * uniform with the variance of {@code 1 / fan_in}, norm weights near 1, biases and embeddings small.
 */
public final class RandomClipWeights implements Weights {

    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final long seed;

    public RandomClipWeights(ClipTextConfig config, long seed) {
        this.seed = seed;
        long d = config.hiddenSize();
        long ff = config.intermediateSize();
        shapes.put("text_model.embeddings.token_embedding.weight", new long[] {config.vocabSize(), d});
        shapes.put("text_model.embeddings.position_embedding.weight", new long[] {config.maxPositionEmbeddings(), d});
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = "text_model.encoder.layers." + i + ".";
            for (String norm : new String[] {"layer_norm1", "layer_norm2"}) {
                shapes.put(p + norm + ".weight", new long[] {d});
                shapes.put(p + norm + ".bias", new long[] {d});
            }
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                shapes.put(p + "self_attn." + proj + ".weight", new long[] {d, d});
                shapes.put(p + "self_attn." + proj + ".bias", new long[] {d});
            }
            shapes.put(p + "mlp.fc1.weight", new long[] {ff, d});
            shapes.put(p + "mlp.fc1.bias", new long[] {ff});
            shapes.put(p + "mlp.fc2.weight", new long[] {d, ff});
            shapes.put(p + "mlp.fc2.bias", new long[] {d});
        }
        shapes.put("text_model.final_layer_norm.weight", new long[] {d});
        shapes.put("text_model.final_layer_norm.bias", new long[] {d});
        if (config.withProjection()) {
            shapes.put("text_projection.weight", new long[] {config.projectionDim(), d});
        }
    }

    @Override
    public Set<String> names() {
        return shapes.keySet();
    }

    @Override
    public HostTensor read(String name) {
        long[] shape = shapes.get(name);
        if (shape == null) {
            throw new DiffijException("no random CLIP weight named '" + name + "'");
        }
        SplittableRandom random = new SplittableRandom(seed ^ name.hashCode());
        float[] values = new float[Math.toIntExact(HostTensor.numel(shape))];
        boolean norm = name.contains("norm") && name.endsWith(".weight");
        boolean embedding = name.contains("embedding");
        double half = name.endsWith(".bias") ? 0.05 : embedding ? 0.2 : shape.length == 2
                ? Math.sqrt(3.0 / shape[1]) : 0.1;
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((norm ? 1 : 0) + random.nextDouble(-half, half));
        }
        return HostTensor.ofFloats(values, shape);
    }
}
