package org.diffij.parity.training;

import java.util.Map;
import java.util.Optional;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.JobContext;
import org.diffij.io.HostTensor;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/**
 * The {@code training} golden area, one entry per kind of case: the optimiser, the LR schedules and
 * the LoRA, textual-inversion, DreamBooth and hypernetwork steps; cases without an entry are
 * reported SKIP until their trainers exist (adding one is one entry in {@link #CASES}).
 */
public final class TrainingAreaRunner implements AreaRunner {

    /** Computes one kind of training case inside an engine job. */
    @FunctionalInterface
    interface TrainingCase {
        Map<String, HostTensor> run(GoldenCase golden, JobContext ctx);
    }

    private static final Map<String, TrainingCase> CASES = Map.ofEntries(
            Map.entry("optimizer_adamw", OptimizerCases::adamw),
            Map.entry("lr_schedules", (golden, ctx) -> OptimizerCases.lrSchedules(golden)),
            Map.entry("lora_sd15_eps", StepCases::lora),
            Map.entry("lora_sd21v_vpred", StepCases::lora),
            Map.entry("lora_sd15_min_snr5", StepCases::lora),
            Map.entry("lora_sd15_unet_te", StepCases::lora),
            Map.entry("textual_inversion_single", StepCases::textualInversion),
            Map.entry("textual_inversion_multi", StepCases::textualInversion),
            Map.entry("hypernetwork_linear_inference", HypernetworkCases::inference),
            Map.entry("hypernetwork_relu_inference", HypernetworkCases::inference),
            Map.entry("hypernetwork_linear_train", HypernetworkCases::train),
            Map.entry("hypernetwork_relu_train", HypernetworkCases::train),
            Map.entry("dreambooth_prior", StepCases::dreamBooth),
            Map.entry("dreambooth_prior_clip", StepCases::dreamBooth));

    @Override
    public String area() {
        return "training";
    }

    @Override
    public Optional<String> notImplemented(GoldenCase golden) {
        return CASES.containsKey(caseName(golden)) ? Optional.empty()
                : Optional.of("training case '" + caseName(golden) + "' not implemented yet");
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        TrainingCase kind = CASES.get(caseName(golden));
        if (kind == null) {
            throw new IllegalStateException(notImplemented(golden).orElseThrow());
        }
        return DiffijEngine.get().queue().run("training " + golden.id(), ctx -> kind.run(golden, ctx));
    }

    private static String caseName(GoldenCase golden) {
        return golden.id().substring(golden.id().indexOf('/') + 1);
    }
}
