package org.diffij.text.prompt;

/**
 * A run of prompt text with its attention weight; {@link #BREAK} (weight -1) marks a {@code BREAK}
 * keyword, which starts a new 75-token chunk.
 */
public record WeightedText(String text, double weight) {

    public static final WeightedText BREAK = new WeightedText("BREAK", -1);

    public boolean isBreak() {
        return text.equals("BREAK") && weight == -1;
    }
}
