package org.diffij.schedulers;

import org.diffij.DiffijException;
import org.diffij.noise.NoiseSource;

/**
 * DPM-Solver / DPM-Solver++ multistep (Lu et al. 2022), A1111's "DPM++ 2M" (order 2, data
 * prediction, midpoint) with or without Karras sigmas, and the SDE variants ("DPM++ 2M SDE") that draw
 * noise every step. Works in half-log-SNR lambda = log(alpha_t / sigma_t) with
 * {@code alpha_t = 1 / sqrt(sigma^2 + 1)}; orders drop to 1 at the start and, for short schedules,
 * at the end.
 */
final class DpmSolverMultistepScheduler extends Scheduler {

    private final int solverOrder;
    private final String algorithm;
    private final boolean midpoint;
    private final boolean lowerOrderFinal;
    private final boolean eulerAtFinal;
    private final boolean useLuLambdas;
    private final double lambdaMinClipped;
    private float[] sigmas = new float[0];
    private float[][] outputs;
    private int lowerOrderSteps;

    DpmSolverMultistepScheduler(ConfigJson json) {
        super(SchedulerType.DPM_SOLVER_MULTISTEP, json, true);
        this.solverOrder = json.integer("solver_order");
        if (solverOrder < 1 || solverOrder > 3) {
            throw new DiffijException("scheduler config: solver_order must be 1, 2 or 3, got " + solverOrder);
        }
        String algorithmType = json.choice("algorithm_type", "dpmsolver++", "dpmsolver", "dpmsolver++",
                "sde-dpmsolver", "sde-dpmsolver++", "deis");
        this.algorithm = algorithmType.equals("deis") ? "dpmsolver++" : algorithmType;
        String solverType = json.choice("solver_type", "midpoint", "midpoint", "heun", "logrho", "bh1", "bh2");
        this.midpoint = !solverType.equals("heun");
        this.lowerOrderFinal = json.bool("lower_order_final", true);
        this.eulerAtFinal = json.bool("euler_at_final", false);
        this.useLuLambdas = json.bool("use_lu_lambdas", false);
        this.lambdaMinClipped = json.has("lambda_min_clipped") ? json.number("lambda_min_clipped")
                : Double.NEGATIVE_INFINITY;
        if (json.has("variance_type")) {
            throw new DiffijException("scheduler config: variance_type '" + json.string("variance_type", "")
                    + "' (learned variance) is not supported by DPM-Solver; set it to null");
        }
        if (!dataPrediction() && config.finalSigmasType().equals("zero")) {
            throw new DiffijException("scheduler config: final_sigmas_type 'zero' needs algorithm_type dpmsolver++ "
                    + "or sde-dpmsolver++; use final_sigmas_type 'sigma_min' with " + algorithm);
        }
    }

    private boolean dataPrediction() {
        return algorithm.endsWith("++");
    }

    private boolean stochastic() {
        return algorithm.startsWith("sde");
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    protected double[] schedule(int steps) {
        int trainSteps = config.numTrainTimesteps();
        int clipped = 0;
        while (clipped < trainSteps && noiseSchedule.lambda(trainSteps - 1 - clipped) < lambdaMinClipped) {
            clipped++;
        }
        int lastTimestep = trainSteps - clipped;
        double[] timesteps = config.timestepSpacing().multistepTimesteps(steps, trainSteps, lastTimestep,
                config.stepsOffset());
        float[] table = noiseSchedule.sigmas();
        double[] values;
        if (config.useKarrasSigmas() || useLuLambdas) {
            values = config.useKarrasSigmas()
                    ? ScheduleMath.karras(table[0], table[table.length - 1], steps)
                    : luSigmas(table, steps);
            timesteps = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                timesteps[i] = Math.rint(noiseSchedule.timestepOf(values[i]));
            }
        } else {
            values = new double[timesteps.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = ScheduleMath.interp(timesteps[i], table);
            }
        }
        double last = config.finalSigmasType().equals("sigma_min") ? table[0] : 0;
        sigmas = new float[values.length + 1];
        for (int i = 0; i < values.length; i++) {
            sigmas[i] = (float) values[i];
        }
        sigmas[values.length] = (float) last;
        outputs = new float[solverOrder][];
        lowerOrderSteps = 0;
        return timesteps;
    }

    /** Lu et al.'s uniform steps in log sigma between the largest and smallest training sigma. */
    private static double[] luSigmas(float[] table, int steps) {
        double max = Math.log(table[table.length - 1]);
        double min = Math.log(table[0]);
        double[] ramp = ScheduleMath.linspace(0, 1, steps);
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = Math.exp(max + ramp[i] * (min - max));
        }
        return out;
    }

    @Override
    protected float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise) {
        int length = allTimesteps().length;
        boolean finalFirstOrder = index == length - 1
                && (eulerAtFinal || (lowerOrderFinal && length < 15) || config.finalSigmasType().equals("zero"));
        boolean finalSecondOrder = index == length - 2 && lowerOrderFinal && length < 15;
        float[] converted = config.predictionType().convert(modelOutput, sample, sigmas[index], dataPrediction());
        System.arraycopy(outputs, 1, outputs, 0, solverOrder - 1);
        outputs[solverOrder - 1] = converted;
        float[] fresh = stochastic() ? noise.randn(shape) : null;
        float[] next;
        if (solverOrder == 1 || lowerOrderSteps < 1 || finalFirstOrder) {
            next = firstOrder(converted, sample, fresh, index);
        } else if (solverOrder == 2 || lowerOrderSteps < 2 || finalSecondOrder) {
            next = secondOrder(sample, fresh, index);
        } else {
            next = thirdOrder(sample, index);
        }
        if (lowerOrderSteps < solverOrder) {
            lowerOrderSteps++;
        }
        return next;
    }

    private record Level(double alpha, double sigma, double lambda) {
        static Level of(double sigma) {
            double alpha = 1 / Math.sqrt(sigma * sigma + 1);
            double sigmaT = sigma * alpha;
            return new Level(alpha, sigmaT, Math.log(alpha) - Math.log(sigmaT));
        }
    }

    private float[] firstOrder(float[] m, float[] sample, float[] fresh, int index) {
        Level t = Level.of(sigmas[index + 1]);
        Level s = Level.of(sigmas[index]);
        double h = t.lambda - s.lambda;
        return switch (algorithm) {
            case "dpmsolver++" -> Elementwise.map(sample, m,
                    (x, d) -> t.sigma / s.sigma * x - t.alpha * (Math.exp(-h) - 1) * d);
            case "dpmsolver" -> Elementwise.map(sample, m,
                    (x, e) -> t.alpha / s.alpha * x - t.sigma * (Math.exp(h) - 1) * e);
            case "sde-dpmsolver++" -> Elementwise.map(sample, m, fresh,
                    (x, d, n) -> t.sigma / s.sigma * Math.exp(-h) * x + t.alpha * (1 - Math.exp(-2 * h)) * d
                            + t.sigma * Math.sqrt(1 - Math.exp(-2 * h)) * n);
            default -> Elementwise.map(sample, m, fresh,
                    (x, e, n) -> t.alpha / s.alpha * x - 2 * t.sigma * (Math.exp(h) - 1) * e
                            + t.sigma * Math.sqrt(Math.exp(2 * h) - 1) * n);
        };
    }

    private float[] secondOrder(float[] sample, float[] fresh, int index) {
        Level t = Level.of(sigmas[index + 1]);
        Level s0 = Level.of(sigmas[index]);
        Level s1 = Level.of(sigmas[index - 1]);
        float[] m0 = outputs[solverOrder - 1];
        float[] m1 = outputs[solverOrder - 2];
        double h = t.lambda - s0.lambda;
        double h0 = s0.lambda - s1.lambda;
        double r0 = h0 / h;
        float[] d1 = Elementwise.map(m0, m1, (a, b) -> (a - b) / r0);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            double x = sample[i];
            double d0 = m0[i];
            double d = d1[i];
            double n = fresh == null ? 0 : fresh[i];
            out[i] = (float) switch (algorithm) {
                case "dpmsolver++" -> midpoint
                        ? t.sigma / s0.sigma * x - t.alpha * (Math.exp(-h) - 1) * d0
                                - 0.5 * t.alpha * (Math.exp(-h) - 1) * d
                        : t.sigma / s0.sigma * x - t.alpha * (Math.exp(-h) - 1) * d0
                                + t.alpha * ((Math.exp(-h) - 1) / h + 1) * d;
                case "dpmsolver" -> midpoint
                        ? t.alpha / s0.alpha * x - t.sigma * (Math.exp(h) - 1) * d0
                                - 0.5 * t.sigma * (Math.exp(h) - 1) * d
                        : t.alpha / s0.alpha * x - t.sigma * (Math.exp(h) - 1) * d0
                                - t.sigma * ((Math.exp(h) - 1) / h - 1) * d;
                case "sde-dpmsolver++" -> t.sigma / s0.sigma * Math.exp(-h) * x
                        + t.alpha * (1 - Math.exp(-2 * h)) * d0
                        + (midpoint ? 0.5 * t.alpha * (1 - Math.exp(-2 * h))
                                : t.alpha * ((1 - Math.exp(-2 * h)) / (-2 * h) + 1)) * d
                        + t.sigma * Math.sqrt(1 - Math.exp(-2 * h)) * n;
                default -> t.alpha / s0.alpha * x - 2 * t.sigma * (Math.exp(h) - 1) * d0
                        - (midpoint ? t.sigma * (Math.exp(h) - 1) : 2 * t.sigma * ((Math.exp(h) - 1) / h - 1)) * d
                        + t.sigma * Math.sqrt(Math.exp(2 * h) - 1) * n;
            };
        }
        return out;
    }

    private float[] thirdOrder(float[] sample, int index) {
        Level t = Level.of(sigmas[index + 1]);
        Level s0 = Level.of(sigmas[index]);
        Level s1 = Level.of(sigmas[index - 1]);
        Level s2 = Level.of(sigmas[index - 2]);
        float[] m0 = outputs[2];
        float[] m1 = outputs[1];
        float[] m2 = outputs[0];
        double h = t.lambda - s0.lambda;
        double r0 = (s0.lambda - s1.lambda) / h;
        double r1 = (s1.lambda - s2.lambda) / h;
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            double d10 = (m0[i] - m1[i]) / r0;
            double d11 = (m1[i] - m2[i]) / r1;
            double d1 = d10 + r0 / (r0 + r1) * (d10 - d11);
            double d2 = (d10 - d11) / (r0 + r1);
            double x = sample[i];
            out[i] = (float) (dataPrediction()
                    ? t.sigma / s0.sigma * x - t.alpha * (Math.exp(-h) - 1) * m0[i]
                            + t.alpha * ((Math.exp(-h) - 1) / h + 1) * d1
                            - t.alpha * ((Math.exp(-h) - 1 + h) / (h * h) - 0.5) * d2
                    : t.alpha / s0.alpha * x - t.sigma * (Math.exp(h) - 1) * m0[i]
                            - t.sigma * ((Math.exp(h) - 1) / h - 1) * d1
                            - t.sigma * ((Math.exp(h) - 1 - h) / (h * h) - 0.5) * d2);
        }
        return out;
    }

    @Override
    protected float[] addNoise(float[] original, float[] noise, int index) {
        Level level = Level.of(sigmas[index]);
        return Elementwise.map(original, noise, (x, n) -> level.alpha * x + level.sigma * n);
    }
}
