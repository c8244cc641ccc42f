package org.diffij.parity;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The one table of implemented golden areas. */
public final class AreaRunners {

    private static final List<AreaRunner> RUNNERS = List.of(new org.diffij.models.unet.UNetAreaRunner(),
            new org.diffij.models.vae.VaeAreaRunner(), new org.diffij.models.controlnet.ControlNetAreaRunner(),
            new org.diffij.models.checkpoint.SingleFileAreaRunner(), new org.diffij.models.lora.LoraAreaRunner());

    private AreaRunners() {
    }

    public static Map<String, AreaRunner> all() {
        return RUNNERS.stream().collect(Collectors.toMap(AreaRunner::area, Function.identity()));
    }

    public static Optional<AreaRunner> forArea(String area) {
        return Optional.ofNullable(all().get(area));
    }
}
