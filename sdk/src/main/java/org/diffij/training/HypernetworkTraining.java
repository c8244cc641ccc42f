package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.diffij.models.hypernetwork.Hypernetwork;
import org.diffij.models.hypernetwork.HypernetworkFile;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.text.ClipTokenizer;

/**
 * An A1111 hypernetwork, trained as A1111's {@code train_hypernetwork} trains it: a new network of
 * the request's architecture, its modules in train mode (dropout on, strength 1) on every
 * transformer-block attention of the frozen UNet, LDM's noise schedule. Saved as A1111's {@code .pt}
 * and its flattened {@code .safetensors} twin, with the step and the base model's hash and name.
 */
final class HypernetworkTraining implements TrainingMethod {

    private final Hypernetwork hypernetwork;
    private final String modelName;
    private final ClipTokenizer tokenizer;
    private final ClipTokenizer tokenizer2;

    private HypernetworkTraining(Hypernetwork hypernetwork, String modelName, ClipTokenizer tokenizer,
            ClipTokenizer tokenizer2) {
        this.hypernetwork = hypernetwork;
        this.modelName = modelName;
        this.tokenizer = tokenizer;
        this.tokenizer2 = tokenizer2;
    }

    /** A new hypernetwork named after the output file; draws its initial weights from the engine's generator. */
    static HypernetworkTraining create(TrainingRequest request, StableDiffusionModel model, NDManager manager) {
        TrainingRequest.HypernetworkOptions options = request.hypernetwork();
        List<Integer> sizes = options.widths().isEmpty() ? autoSizes(model.unet().config()) : options.widths();
        Hypernetwork hypernetwork = Hypernetwork.create(new Hypernetwork.Provenance(Trainer.stem(Path.of(request.output())),
                0, null, null, null), sizes, options.config(), manager);
        return new HypernetworkTraining(hypernetwork, Trainer.stem(Path.of(request.model())), model.tokenizer(),
                model.tokenizer2());
    }

    /** The cross-attention widths and the block widths (where self-attention runs): A1111's default for SD 1.x. */
    private static List<Integer> autoSizes(UNet2DConditionConfig config) {
        TreeSet<Integer> sizes = new TreeSet<>();
        for (int width : config.crossAttentionDim()) {
            sizes.add(width);
        }
        for (int width : config.blockOutChannels()) {
            sizes.add(width);
        }
        return new ArrayList<>(sizes);
    }

    @Override
    public Map<String, NDArray> trained() {
        return hypernetwork.parameters().named();
    }

    @Override
    public boolean isTextEncoder(String name) {
        return false;
    }

    @Override
    public DenoisingObjective.Trainables trainables() {
        return new DenoisingObjective.Trainables(null, null, null, hypernetwork.contexts(1f, true));
    }

    @Override
    public NoiseSchedule noiseSchedule(StableDiffusionModel model) {
        return NoiseSchedule.ldmTraining(model.schedulerConfig());
    }

    @Override
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ClipTokenizer tokenizer2() {
        return tokenizer2;
    }

    @Override
    public List<Path> files(Path output, List<String> formats) {
        List<Path> files = new ArrayList<>();
        for (String format : formats) {
            String extension = format.equals("a1111") ? ".pt" : ".safetensors";
            files.add(files.isEmpty() ? OutputFiles.first(output, format, extension)
                    : Trainer.sibling(output, "", extension));
        }
        return files;
    }

    /**
     * The step and base model as A1111 records them (the first ten characters of the model hash as
     * its short hash); the {@code .pt} has no place for the rest, the {@code .safetensors} twin keeps
     * all of it.
     */
    @Override
    public List<Path> save(Path output, List<String> formats, TrainingProvenance provenance, boolean overwrite) {
        List<Path> files = files(output, formats);
        OutputFiles.requireNew(files, overwrite);
        String hash = provenance.modelHash() == null ? "" : provenance.modelHash();
        Hypernetwork.Provenance fields = hypernetwork.provenance().withStep(provenance.step(),
                hash.isEmpty() ? null : hash.substring(0, Math.min(10, hash.length())), modelName);
        for (int i = 0; i < formats.size(); i++) {
            if (formats.get(i).equals("a1111")) {
                HypernetworkFile.writePickle(files.get(i), hypernetwork, fields);
            } else {
                HypernetworkFile.writeSafetensors(files.get(i), hypernetwork, fields, provenance.metadata());
            }
        }
        return files;
    }
}
