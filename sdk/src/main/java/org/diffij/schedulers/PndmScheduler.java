package org.diffij.schedulers;

import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.noise.NoiseSource;

/**
 * PNDM's pseudo linear multistep method (PLMS, Liu et al. 2022) as SD configs run it
 * ({@code skip_prk_steps: true}): the first step is repeated once as a second-order (Heun-like)
 * correction, then Adams-Bashforth combinations of up to four past noise predictions are used.
 * The Runge-Kutta warm-up ({@code skip_prk_steps: false}) is not supported.
 */
final class PndmScheduler extends Scheduler {

    private final List<float[]> history = new ArrayList<>();
    private float[] firstSample;
    private int counter;

    PndmScheduler(ConfigJson json) {
        super(SchedulerType.PNDM, json, false);
        if (!json.bool("skip_prk_steps", false)) {
            throw new DiffijException("scheduler config: PNDM with skip_prk_steps=false (Runge-Kutta warm-up) is not "
                    + "supported; use the sampler \"PLMS\" or set \"skip_prk_steps\": true");
        }
        if (config.predictionType() == PredictionType.SAMPLE) {
            throw new DiffijException("scheduler config: PNDM supports prediction_type epsilon and v_prediction only");
        }
    }

    /** The spaced timesteps with the second-to-last one repeated: the first step runs twice. */
    @Override
    protected double[] schedule(int steps) {
        double[] ascending = ScheduleMath.reversed(
                config.timestepSpacing().timesteps(steps, config.numTrainTimesteps(), config.stepsOffset(), true));
        int n = ascending.length;
        double[] plms = ascending;
        if (n > 1) {
            plms = new double[n + 1];
            System.arraycopy(ascending, 0, plms, 0, n - 1);
            plms[n - 1] = ascending[n - 2];
            plms[n] = ascending[n - 1];
        }
        history.clear();
        firstSample = null;
        counter = 0;
        return ScheduleMath.reversed(plms);
    }

    @Override
    protected float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise) {
        int stride = config.numTrainTimesteps() / inferenceSteps();
        int t = (int) allTimesteps()[index];
        int previous = t - stride;
        if (counter != 1) {
            while (history.size() > 3) {
                history.remove(0);
            }
            history.add(modelOutput);
        } else {
            previous = t;
            t = t + stride;
        }
        float[] combined;
        float[] from = sample;
        int size = history.size();
        if (size == 1 && counter == 0) {
            combined = modelOutput;
            firstSample = sample;
        } else if (size == 1 && counter == 1) {
            float[] first = history.get(0);
            combined = Elementwise.map(modelOutput, first, (a, b) -> (a + b) / 2);
            from = firstSample;
            firstSample = null;
        } else if (size == 2) {
            float[] e1 = history.get(1);
            float[] e2 = history.get(0);
            combined = Elementwise.map(e1, e2, (a, b) -> (3 * a - b) / 2);
        } else if (size == 3) {
            float[] e1 = history.get(2);
            float[] e2 = history.get(1);
            float[] e3 = history.get(0);
            combined = Elementwise.map(e1, e2, e3, (a, b, c) -> (23 * a - 16 * b + 5 * c) / 12);
        } else {
            float[] e1 = history.get(size - 1);
            float[] e2 = history.get(size - 2);
            float[] e3 = history.get(size - 3);
            float[] e4 = history.get(size - 4);
            combined = new float[e1.length];
            for (int i = 0; i < combined.length; i++) {
                combined[i] = (float) ((55.0 * e1[i] - 59.0 * e2[i] + 37.0 * e3[i] - 9.0 * e4[i]) / 24);
            }
        }
        counter++;
        return previousSample(from, t, previous, combined);
    }

    private float[] previousSample(float[] sample, int t, int previous, float[] modelOutput) {
        double alpha = noiseSchedule.alphaCumprod(t);
        double alphaPrevious = previous >= 0 ? noiseSchedule.alphaCumprod(previous)
                : config.setAlphaToOne() ? 1.0 : noiseSchedule.alphaCumprod(0);
        double beta = 1 - alpha;
        double betaPrevious = 1 - alphaPrevious;
        float[] epsilon = config.predictionType() == PredictionType.V_PREDICTION
                ? Elementwise.map(modelOutput, sample, (v, x) -> Math.sqrt(alpha) * v + Math.sqrt(beta) * x)
                : modelOutput;
        double sampleCoefficient = Math.sqrt(alphaPrevious / alpha);
        double denominator = alpha * Math.sqrt(betaPrevious) + Math.sqrt(alpha * beta * alphaPrevious);
        double epsilonCoefficient = (alphaPrevious - alpha) / denominator;
        return Elementwise.map(sample, epsilon, (x, e) -> sampleCoefficient * x - epsilonCoefficient * e);
    }

    @Override
    protected float[] addNoise(float[] original, float[] noise, int index) {
        return addNoiseAtTrainTimestep(original, noise, (int) allTimesteps()[index]);
    }
}
