package org.diffij.text.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's emphasis syntax: {@code (text)} multiplies the weight by 1.1, {@code [text]} divides it
 * by 1.1, {@code (text:1.3)} sets the factor, brackets nest by multiplication, unclosed brackets
 * apply to the rest of the prompt, unmatched closing ones stay text, {@code \(} {@code \)}
 * {@code \[} {@code \]} {@code \\} are literal characters, and {@code BREAK} becomes a chunk break.
 * Neighbouring runs of equal weight are merged. An empty prompt is one empty run of weight 1.
 */
public final class AttentionParser {

    public static final double ROUND_BRACKET_FACTOR = 1.1;
    public static final double SQUARE_BRACKET_FACTOR = 1 / 1.1;

    private static final Pattern TOKENS = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:\\s*([+-]?[.\\d]+)\\s*\\)|\\)|]|[^\\\\()\\[\\]:]+|:",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern BREAK = Pattern.compile("\\s*\\bBREAK\\b\\s*",
            Pattern.DOTALL | Pattern.UNICODE_CHARACTER_CLASS);

    private AttentionParser() {
    }

    public static List<WeightedText> parse(String prompt) {
        List<String> texts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        List<Integer> roundOpen = new ArrayList<>();
        List<Integer> squareOpen = new ArrayList<>();
        Matcher m = TOKENS.matcher(prompt);
        while (m.find()) {
            String token = m.group();
            Double explicit = m.group(1) == null ? null : parseWeight(m.group(1));
            if (token.startsWith("\\")) {
                texts.add(token.substring(1));
                weights.add(1.0);
            } else if (token.equals("(")) {
                roundOpen.add(texts.size());
            } else if (token.equals("[")) {
                squareOpen.add(texts.size());
            } else if (explicit != null && !roundOpen.isEmpty()) {
                multiply(weights, roundOpen.remove(roundOpen.size() - 1), explicit);
            } else if (token.equals(")") && !roundOpen.isEmpty()) {
                multiply(weights, roundOpen.remove(roundOpen.size() - 1), ROUND_BRACKET_FACTOR);
            } else if (token.equals("]") && !squareOpen.isEmpty()) {
                multiply(weights, squareOpen.remove(squareOpen.size() - 1), SQUARE_BRACKET_FACTOR);
            } else {
                String[] parts = BREAK.split(token, -1);
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        texts.add(WeightedText.BREAK.text());
                        weights.add(WeightedText.BREAK.weight());
                    }
                    texts.add(parts[i]);
                    weights.add(1.0);
                }
            }
        }
        for (int start : roundOpen) {
            multiply(weights, start, ROUND_BRACKET_FACTOR);
        }
        for (int start : squareOpen) {
            multiply(weights, start, SQUARE_BRACKET_FACTOR);
        }
        List<WeightedText> runs = new ArrayList<>();
        if (texts.isEmpty()) {
            runs.add(new WeightedText("", 1.0));
            return runs;
        }
        StringBuilder text = new StringBuilder(texts.get(0));
        double weight = weights.get(0);
        for (int i = 1; i < texts.size(); i++) {
            if (weights.get(i) == weight) {
                text.append(texts.get(i));
            } else {
                runs.add(new WeightedText(text.toString(), weight));
                text = new StringBuilder(texts.get(i));
                weight = weights.get(i);
            }
        }
        runs.add(new WeightedText(text.toString(), weight));
        return runs;
    }

    /** The number of {@code (text:N)}, or null when it is not a number (then the text stays literal). */
    private static Double parseWeight(String number) {
        try {
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void multiply(List<Double> weights, int from, double factor) {
        for (int i = from; i < weights.size(); i++) {
            weights.set(i, weights.get(i) * factor);
        }
    }
}
