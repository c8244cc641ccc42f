package org.diffij.parity;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.diffij.parity.areas.ConditioningAreaRunner;
import org.diffij.parity.areas.ControlNetAreaRunner;
import org.diffij.parity.areas.ImageProcessingAreaRunner;
import org.diffij.parity.areas.IpAdapterAreaRunner;
import org.diffij.parity.areas.LoraAreaRunner;
import org.diffij.parity.areas.PipelineAreaRunner;
import org.diffij.parity.areas.SchedulerAreaRunner;
import org.diffij.parity.areas.SingleFileAreaRunner;
import org.diffij.parity.areas.TextEncoderAreaRunner;
import org.diffij.parity.areas.TextualInversionAreaRunner;
import org.diffij.parity.areas.TokenizerAreaRunner;
import org.diffij.parity.areas.UNetAreaRunner;
import org.diffij.parity.areas.VaeAreaRunner;
import org.diffij.parity.training.TrainingAreaRunner;

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
            new SchedulerAreaRunner(),
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
