package org.diffij.schedulers;

import java.util.List;
import org.diffij.DiffijException;
import org.diffij.noise.NoiseSource;

/**
 * UniPC (Zhao et al. 2023): a multistep predictor (UniP) followed, at the next step, by a corrector
 * (UniC) that reuses the new model evaluation, so it costs no extra evaluation. B(h) variants bh1 and
 * bh2, data or noise prediction ({@code predict_x0}).
 */
final class UniPcScheduler extends Scheduler {

    private final int solverOrder;
    private final boolean predictX0;
    private final boolean bh1;
    private final boolean lowerOrderFinal;
    private final List<Integer> disableCorrector;
    private float[] sigmas = new float[0];
    private float[][] outputs;
    private float[] lastSample;
    private int lowerOrderSteps;
    private int thisOrder;

    UniPcScheduler(ConfigJson json) {
        super(SchedulerType.UNIPC, json, true);
        this.solverOrder = json.integer("solver_order");
        if (solverOrder < 1 || solverOrder > 3) {
            throw new DiffijException("scheduler config: solver_order must be 1, 2 or 3, got " + solverOrder);
        }
        this.predictX0 = json.bool("predict_x0", true);
        String solverType = json.choice("solver_type", "bh2", "bh1", "bh2", "midpoint", "heun", "logrho");
        this.bh1 = solverType.equals("bh1");
        this.lowerOrderFinal = json.bool("lower_order_final", true);
        this.disableCorrector = json.integers("disable_corrector");
        if ((bh1 || !predictX0) && config.finalSigmasType().equals("zero")) {
            throw new DiffijException("scheduler config: UniPC with " + (bh1 ? "solver_type bh1" : "predict_x0 false")
                    + " cannot step to sigma 0 (diffusers returns NaN there); set final_sigmas_type to sigma_min");
        }
        if (json.has("solver_p")) {
            throw new DiffijException("scheduler config: UniPC with a solver_p scheduler is not supported; "
                    + "set solver_p to null");
        }
    }

    @Override
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    protected double[] schedule(int steps) {
        int trainSteps = config.numTrainTimesteps();
        double[] timesteps = config.timestepSpacing().multistepTimesteps(steps, trainSteps, trainSteps,
                config.stepsOffset());
        float[] table = noiseSchedule.sigmas();
        double[] values;
        double last;
        if (config.useKarrasSigmas()) {
            values = ScheduleMath.karras(table[0], table[table.length - 1], steps);
            timesteps = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                timesteps[i] = Math.rint(noiseSchedule.timestepOf(values[i]));
            }
            last = config.finalSigmasType().equals("sigma_min") ? values[values.length - 1] : 0;
        } else {
            values = new double[timesteps.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = ScheduleMath.interp(timesteps[i], table);
            }
            last = config.finalSigmasType().equals("sigma_min") ? table[0] : 0;
        }
        sigmas = new float[values.length + 1];
        for (int i = 0; i < values.length; i++) {
            sigmas[i] = (float) values[i];
        }
        sigmas[values.length] = (float) last;
        outputs = new float[solverOrder][];
        lastSample = null;
        lowerOrderSteps = 0;
        thisOrder = 0;
        return timesteps;
    }

    @Override
    protected float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise) {
        boolean useCorrector = index > 0 && !disableCorrector.contains(index - 1) && lastSample != null;
        float[] converted = config.predictionType().convert(modelOutput, sample, sigmas[index], predictX0);
        float[] current = useCorrector ? corrector(converted, lastSample, sample, thisOrder, index) : sample;
        System.arraycopy(outputs, 1, outputs, 0, solverOrder - 1);
        outputs[solverOrder - 1] = converted;
        int order = lowerOrderFinal ? Math.min(solverOrder, allTimesteps().length - index) : solverOrder;
        thisOrder = Math.min(order, lowerOrderSteps + 1);
        lastSample = current;
        float[] next = predictor(current, thisOrder, index);
        if (lowerOrderSteps < solverOrder) {
            lowerOrderSteps++;
        }
        return next;
    }

    private static double lambda(double sigma) {
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        return Math.log(alpha) - Math.log(sigma * alpha);
    }

    /** The B(h) coefficients shared by predictor and corrector. */
    private record Coefficients(double hPhi1, double bh, double[][] r, double[] b) {
        static Coefficients of(double h, double[] rks, int order, boolean predictX0, boolean bh1) {
            double hh = predictX0 ? -h : h;
            double hPhi1 = Math.expm1(hh);
            double hPhiK = hPhi1 / hh - 1;
            double factorial = 1;
            double bh = bh1 ? hh : Math.expm1(hh);
            double[][] r = new double[order][rks.length];
            double[] b = new double[order];
            for (int i = 1; i <= order; i++) {
                for (int k = 0; k < rks.length; k++) {
                    r[i - 1][k] = Math.pow(rks[k], i - 1);
                }
                b[i - 1] = hPhiK * factorial / bh;
                factorial *= i + 1;
                hPhiK = hPhiK / hh - 1 / factorial;
            }
            return new Coefficients(hPhi1, bh, r, b);
        }
    }

    private float[] predictor(float[] x, int order, int index) {
        double sigmaNext = sigmas[index + 1];
        double sigmaNow = sigmas[index];
        double lambdaT = lambda(sigmaNext);
        double lambdaS0 = lambda(sigmaNow);
        double h = lambdaT - lambdaS0;
        float[] m0 = outputs[solverOrder - 1];
        double[] rks = new double[order];
        float[][] d1s = new float[order - 1][];
        for (int i = 1; i < order; i++) {
            double rk = (lambda(sigmas[index - i]) - lambdaS0) / h;
            rks[i - 1] = rk;
            float[] mi = outputs[solverOrder - 1 - i];
            d1s[i - 1] = Elementwise.map(mi, m0, (a, b) -> (a - b) / rk);
        }
        rks[order - 1] = 1.0;
        Coefficients c = Coefficients.of(h, rks, order, predictX0, bh1);
        double[] rhos = order - 1 == 0 ? new double[0]
                : order == 2 ? new double[] {0.5} : LinearSolve.solve(c.r(), c.b(), order - 1);
        return update(x, m0, d1s, rhos, null, 0, sigmaNext, sigmaNow, c);
    }

    private float[] corrector(float[] modelT, float[] x, float[] xT, int order, int index) {
        double sigmaNow = sigmas[index];
        double sigmaPrevious = sigmas[index - 1];
        double lambdaT = lambda(sigmaNow);
        double lambdaS0 = lambda(sigmaPrevious);
        double h = lambdaT - lambdaS0;
        float[] m0 = outputs[solverOrder - 1];
        double[] rks = new double[order];
        float[][] d1s = new float[order - 1][];
        for (int i = 1; i < order; i++) {
            double rk = (lambda(sigmas[index - (i + 1)]) - lambdaS0) / h;
            rks[i - 1] = rk;
            float[] mi = outputs[solverOrder - 1 - i];
            d1s[i - 1] = Elementwise.map(mi, m0, (a, b) -> (a - b) / rk);
        }
        rks[order - 1] = 1.0;
        Coefficients c = Coefficients.of(h, rks, order, predictX0, bh1);
        double[] rhos = order == 1 ? new double[] {0.5} : LinearSolve.solve(c.r(), c.b(), order);
        return update(x, m0, d1s, rhos, modelT, rhos[rhos.length - 1], sigmaNow, sigmaPrevious, c);
    }

    /**
     * {@code x_t = (ratio) x - scale * hPhi1 * m0 - scale * B(h) * (sum rho_k D1_k + rhoT (modelT - m0))},
     * scale alpha_t for data prediction, sigma_t for noise prediction.
     */
    private float[] update(float[] x, float[] m0, float[][] d1s, double[] rhos, float[] modelT, double rhoT,
            double sigmaTo, double sigmaFrom, Coefficients c) {
        double alphaT = 1 / Math.sqrt(sigmaTo * sigmaTo + 1);
        double sigmaT = sigmaTo * alphaT;
        double alphaS = 1 / Math.sqrt(sigmaFrom * sigmaFrom + 1);
        double sigmaS = sigmaFrom * alphaS;
        double ratio = predictX0 ? sigmaT / sigmaS : alphaT / alphaS;
        double scale = predictX0 ? alphaT : sigmaT;
        float[] out = new float[x.length];
        for (int i = 0; i < out.length; i++) {
            double residual = 0;
            for (int k = 0; k < d1s.length; k++) {
                residual += rhos[k] * d1s[k][i];
            }
            if (modelT != null) {
                residual += rhoT * (modelT[i] - m0[i]);
            }
            out[i] = (float) (ratio * x[i] - scale * c.hPhi1() * m0[i] - scale * c.bh() * residual);
        }
        return out;
    }

    @Override
    protected float[] addNoise(float[] original, float[] noise, int index) {
        double sigma = sigmas[index];
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        double sigmaT = sigma * alpha;
        return Elementwise.map(original, noise, (x, n) -> alpha * x + sigmaT * n);
    }
}
