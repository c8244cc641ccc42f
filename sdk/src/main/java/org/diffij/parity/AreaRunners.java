package org.diffij.parity;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.diffij.conditioning.ConditioningAreaRunner;
import org.diffij.image.ImageProcessingAreaRunner;
import org.diffij.models.checkpoint.SingleFileAreaRunner;
import org.diffij.models.controlnet.ControlNetAreaRunner;
import org.diffij.models.ipadapter.IpAdapterAreaRunner;
import org.diffij.models.lora.LoraAreaRunner;
import org.diffij.models.unet.UNetAreaRunner;
import org.diffij.models.vae.VaeAreaRunner;
import org.diffij.parity.training.TrainingAreaRunner;
import org.diffij.pipelines.PipelineAreaRunner;
import org.diffij.schedulers.SchedulerParityRunner;
import org.diffij.text.TextEncoderAreaRunner;
import org.diffij.text.TextualInversionAreaRunner;
import org.diffij.text.TokenizerAreaRunner;

/** The one table of implemented golden areas. */
public final class AreaRunners {

    private static final List<AreaRunner> RUNNERS = List.of(
            new ImageProcessingAreaRunner(),
            new TokenizerAreaRunner(),
            new TextEncoderAreaRunner(),
            new TextualInversionAreaRunner(),
            new UNetAreaRunner(),
            new VaeAreaRunner(),
            new ControlNetAreaRunner(),
            new SingleFileAreaRunner(),
            new LoraAreaRunner(),
            new IpAdapterAreaRunner(),
            new ConditioningAreaRunner(),
            new SchedulerParityRunner(),
            new PipelineAreaRunner(),
            new TrainingAreaRunner());

    private AreaRunners() {
    }

    public static Map<String, AreaRunner> all() {
        return RUNNERS.stream().collect(Collectors.toMap(AreaRunner::area, Function.identity()));
    }

    public static Optional<AreaRunner> forArea(String area) {
        return Optional.ofNullable(all().get(area));
    }
}
