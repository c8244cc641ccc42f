package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.models.lora.KohyaNames;
import org.diffij.nn.ParameterTree;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.text.ClipTokenizer;

/** LoRA: low-rank adapters on the UNet (and optionally the text encoder), the base model frozen. */
final class LoraTraining implements TrainingMethod {

    private static final String TEXT_ENCODER = "text_encoder";
    private static final String TEXT_ENCODER_2 = "text_encoder_2";

    private final LoraNetwork network;
    private final ClipTokenizer tokenizer;
    private final ClipTokenizer tokenizer2;
    /** The base model's kohya layer names, which the kohya file is written in. */
    private final KohyaNames names;

    private LoraTraining(LoraNetwork network, ClipTokenizer tokenizer, ClipTokenizer tokenizer2, KohyaNames names) {
        this.network = network;
        this.names = names;
        this.tokenizer = tokenizer;
        this.tokenizer2 = tokenizer2;
    }

    /** Fresh adapters on the request's targets; draws the initial {@code lora_A} from the engine's generator. */
    static LoraTraining create(TrainingRequest request, StableDiffusionModel model, NDManager manager) {
        TrainingRequest.LoraOptions options = request.lora();
        Map<String, ParameterTree> components = new LinkedHashMap<>();
        components.put("unet", model.unet().parameters());
        if (options.trainTextEncoder()) {
            components.put(TEXT_ENCODER, model.textEncoder().parameters());
            if (model.isXl()) {
                components.put(TEXT_ENCODER_2, model.textEncoder2().parameters());
            }
        }
        LoraNetwork network = LoraNetwork.create(components, LoraNetwork.Targets.of(options.targets()),
                new LoraNetwork.Dimension(options.rank(), (float) options.alpha()), options.convRank() > 0
                        ? new LoraNetwork.Dimension(options.convRank(), (float) options.convAlpha()) : null, manager);
        return new LoraTraining(network, model.tokenizer(), model.tokenizer2(),
                KohyaNames.of(model.unet().config(), model.isXl()));
    }

    @Override
    public Map<String, NDArray> trained() {
        return network.parameters();
    }

    @Override
    public boolean isTextEncoder(String name) {
        return name.startsWith(TEXT_ENCODER + ".") || name.startsWith(TEXT_ENCODER_2 + ".");
    }

    @Override
    public DenoisingObjective.Trainables trainables() {
        return new DenoisingObjective.Trainables(network, null);
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
        return LoraFiles.files(output, formats);
    }

    @Override
    public List<Path> save(Path output, List<String> formats, TrainingProvenance provenance, boolean overwrite) {
        return LoraFiles.write(network, names, output, formats, provenance, overwrite);
    }
}
