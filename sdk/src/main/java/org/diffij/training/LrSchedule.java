package org.diffij.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.diffij.DiffijException;

/**
 * The learning rate by optimiser step, as a factor of the base rate ({@code torch.optim.lr_scheduler.LambdaLR}):
 * {@code lr(step) = base * factor(step)}, step 0 being the first update (the scripts call
 * {@code optimizer.step()} before {@code lr_scheduler.step()}, so a warmup starts at lr 0).
 */
public interface LrSchedule {

    double factor(int step);

    default double lr(double baseLr, int step) {
        return baseLr * factor(step);
    }

    /**
     * A schedule by name: one of diffusers' {@code get_scheduler} kinds (see {@link Diffusers.Kind}),
     * or A1111's stepped rates {@code "5e-5:100, 5e-6:1500"}, which are relative to {@code baseLr}
     * here (see {@link Stepped}).
     */
    static LrSchedule parse(String text, double baseLr, int warmupSteps, int trainingSteps, double cycles,
            double power) {
        String trimmed = text.trim();
        if (Stepped.looksStepped(trimmed)) {
            return Stepped.parse(trimmed, baseLr);
        }
        return new Diffusers(Diffusers.Kind.of(trimmed), baseLr, warmupSteps, trainingSteps, cycles, power,
                Diffusers.DEFAULT_LR_END);
    }

    /**
     * The LR lambdas of {@code diffusers.optimization} (v0.30.3), in double precision as Python computes
     * them. {@code cycles} is used by {@code cosine_with_restarts} only ({@code get_scheduler} never passes
     * it to plain {@code cosine}, which is a half cosine); {@code power} and {@code lrEnd} by
     * {@code polynomial} only.
     */
    record Diffusers(Kind kind, double baseLr, int warmupSteps, int trainingSteps, double cycles, double power,
            double lrEnd) implements LrSchedule {

        public static final double DEFAULT_LR_END = 1e-7;

        public enum Kind {
            CONSTANT, CONSTANT_WITH_WARMUP, LINEAR, COSINE, COSINE_WITH_RESTARTS, POLYNOMIAL;

            public String key() {
                return name().toLowerCase(Locale.ROOT);
            }

            public static Kind of(String key) {
                for (Kind kind : values()) {
                    if (kind.key().equals(key)) {
                        return kind;
                    }
                }
                throw new DiffijException("unknown LR schedule '" + key + "'; use constant, constant_with_warmup, "
                        + "linear, cosine, cosine_with_restarts, polynomial or stepped rates like 5e-5:100,5e-6:1500");
            }
        }

        public Diffusers {
            if (warmupSteps < 0 || trainingSteps < 1) {
                throw new DiffijException("LR schedule: warmup steps must be 0 or more and training steps 1 or more, "
                        + "not " + warmupSteps + " and " + trainingSteps);
            }
            if (kind == Kind.POLYNOMIAL && trainingSteps <= warmupSteps) {
                throw new DiffijException("polynomial LR schedule: the training steps (" + trainingSteps
                        + ") must be more than the warmup steps (" + warmupSteps + ")");
            }
            if (kind == Kind.POLYNOMIAL && !(baseLr > lrEnd)) {
                throw new DiffijException("polynomial LR schedule: the learning rate " + baseLr
                        + " must be larger than the end rate " + lrEnd);
            }
        }

        @Override
        public double factor(int step) {
            if (kind == Kind.CONSTANT) {
                return 1.0;
            }
            if (step < warmupSteps) {
                return (double) step / Math.max(1, warmupSteps);
            }
            double progress = (double) (step - warmupSteps) / Math.max(1, trainingSteps - warmupSteps);
            return switch (kind) {
                case CONSTANT_WITH_WARMUP -> 1.0;
                case LINEAR -> Math.max(0.0, (double) (trainingSteps - step) / Math.max(1, trainingSteps - warmupSteps));
                case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 0.5 * 2.0 * progress)));
                case COSINE_WITH_RESTARTS -> progress >= 1.0 ? 0.0
                        : Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((cycles * progress) % 1.0))));
                case POLYNOMIAL -> polynomial(step);
                case CONSTANT -> 1.0;
            };
        }

        private double polynomial(int step) {
            if (step > trainingSteps) {
                return lrEnd / baseLr;
            }
            double remaining = 1 - (double) (step - warmupSteps) / (trainingSteps - warmupSteps);
            return ((baseLr - lrEnd) * Math.pow(remaining, power) + lrEnd) / baseLr;
        }
    }

    /**
     * A1111's stepped rates {@code "rate:until, rate:until, rate"}: each rate holds while the step is
     * below its {@code until}, a rate without one (or the last) holds to the end. Expressed as a factor
     * of {@code baseLr}, so that a separately trained text encoder keeps its ratio to the UNet's rate.
     */
    record Stepped(List<Double> rates, List<Integer> untilSteps, double baseLr) implements LrSchedule {

        public Stepped {
            rates = List.copyOf(rates);
            untilSteps = List.copyOf(untilSteps);
        }

        static boolean looksStepped(String text) {
            return text.contains(":") || text.contains(",") || !text.isEmpty() && Character.isDigit(text.charAt(0));
        }

        /** The rates of a stepped string; the base is the first rate when {@code baseLr} is 0 or less. */
        public static Stepped parse(String text, double baseLr) {
            List<Double> rates = new ArrayList<>();
            List<Integer> until = new ArrayList<>();
            for (String piece : text.split(",")) {
                if (piece.isBlank()) {
                    continue;
                }
                if (!rates.isEmpty() && until.get(until.size() - 1) == Integer.MAX_VALUE) {
                    throw new DiffijException("LR schedule '" + text + "': only the last rate may omit its end step");
                }
                String[] parts = piece.trim().split(":");
                try {
                    double rate = Double.parseDouble(parts[0].trim());
                    int end = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : -1;
                    end = end == -1 ? Integer.MAX_VALUE : end;
                    if (parts.length > 2 || !(rate >= 0) || end < 1
                            || !until.isEmpty() && end <= until.get(until.size() - 1)) {
                        throw new NumberFormatException();
                    }
                    rates.add(rate);
                    until.add(end);
                } catch (NumberFormatException e) {
                    throw new DiffijException("LR schedule '" + text + "' is not rate:step pairs with increasing "
                            + "steps, like 5e-5:100, 5e-6:1500 (bad part '" + piece.trim() + "')");
                }
            }
            if (rates.isEmpty()) {
                throw new DiffijException("LR schedule is empty; give a rate like 1e-4 or 5e-5:100, 5e-6:1500");
            }
            return new Stepped(rates, until, baseLr > 0 ? baseLr : rates.get(0));
        }

        /** The absolute rate of a step. */
        public double rate(int step) {
            for (int i = 0; i < rates.size(); i++) {
                if (step < untilSteps.get(i)) {
                    return rates.get(i);
                }
            }
            return rates.get(rates.size() - 1);
        }

        @Override
        public double factor(int step) {
            return rate(step) / baseLr;
        }
    }
}
