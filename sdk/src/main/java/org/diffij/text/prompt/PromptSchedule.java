package org.diffij.text.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;

/**
 * A1111's prompt editing: {@code [from:to:when]} switches from one text to another after step
 * {@code when}, {@code [to:when]} adds text after it, {@code [from::when]} removes it, and
 * {@code [a|b|c]} alternates every step. {@code when} is a step number, or with a decimal point a
 * fraction of the steps. The result is the list of distinct prompts with the last step each one
 * covers; a sampler at 0-based step index {@code i} uses the first entry whose end step is
 * {@code >= i}, as A1111 does. Emphasis brackets are kept in the texts for {@link AttentionParser};
 * text that is not valid editing syntax stays literal.
 */
public final class PromptSchedule {

    /** The prompt to use up to and including sampler step index {@code endAtStep}. */
    public record Entry(int endAtStep, String prompt) {
    }

    private static final Pattern NUMBER = Pattern.compile("\\s*([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?)\\s*");

    private final List<Entry> entries;

    private PromptSchedule(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static PromptSchedule parse(String prompt, int steps) {
        if (steps < 1) {
            throw new DiffijException("a prompt schedule needs at least 1 step, got " + steps);
        }
        List<Node> tree = new Parser(prompt).parseTop();
        TreeSet<Integer> boundaries = new TreeSet<>();
        boundaries.add(steps);
        collectSteps(tree, steps, boundaries);
        List<Entry> entries = new ArrayList<>();
        for (int step : boundaries) {
            StringBuilder text = new StringBuilder();
            render(tree, step, steps, text);
            entries.add(new Entry(step, text.toString()));
        }
        return new PromptSchedule(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The prompt for 0-based sampler step index {@code stepIndex}. */
    public String promptAt(int stepIndex) {
        for (Entry entry : entries) {
            if (stepIndex <= entry.endAtStep()) {
                return entry.prompt();
            }
        }
        return entries.get(entries.size() - 1).prompt();
    }

    /** A piece of the parsed prompt. */
    private sealed interface Node permits Text, Group, Scheduled, Alternate {
    }

    private record Text(String text) implements Node {
    }

    /** Emphasis brackets, kept literally around their content. */
    private record Group(String open, List<Node> first, List<Node> second, String close) implements Node {
    }

    private record Scheduled(List<Node> before, List<Node> after, String when) implements Node {
    }

    private record Alternate(List<List<Node>> options) implements Node {
    }

    private static void collectSteps(List<Node> nodes, int steps, TreeSet<Integer> out) {
        for (Node node : nodes) {
            if (node instanceof Group g) {
                collectSteps(g.first(), steps, out);
                if (g.second() != null) {
                    collectSteps(g.second(), steps, out);
                }
            } else if (node instanceof Scheduled s) {
                int when = switchStep(s.when(), steps);
                if (when >= 1) {
                    out.add(when);
                }
                collectSteps(s.before(), steps, out);
                collectSteps(s.after(), steps, out);
            } else if (node instanceof Alternate a) {
                for (int i = 1; i <= steps; i++) {
                    out.add(i);
                }
                a.options().forEach(option -> collectSteps(option, steps, out));
            }
        }
    }

    /** A1111's step of a {@code when}: with a decimal point a fraction of the steps, else a step number. */
    private static int switchStep(String when, int steps) {
        double value = Double.parseDouble(when);
        double step = when.contains(".") ? value * steps : value;
        return (int) Math.min(steps, (long) step);
    }

    private static void render(List<Node> nodes, int step, int steps, StringBuilder out) {
        for (Node node : nodes) {
            if (node instanceof Text t) {
                out.append(t.text());
            } else if (node instanceof Group g) {
                out.append(g.open());
                render(g.first(), step, steps, out);
                if (g.second() != null) {
                    out.append(':');
                    render(g.second(), step, steps, out);
                }
                out.append(g.close());
            } else if (node instanceof Scheduled s) {
                render(step <= switchStep(s.when(), steps) ? s.before() : s.after(), step, steps, out);
            } else if (node instanceof Alternate a) {
                render(a.options().get((step - 1) % a.options().size()), step, steps, out);
            }
        }
    }

    /** Recursive descent over the editing grammar; a bracket that opens no valid construct is literal text. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        List<Node> parseTop() {
            List<Node> nodes = new ArrayList<>();
            while (pos < s.length()) {
                nodes.addAll(parseSequence(""));
                if (pos < s.length()) {
                    nodes.add(new Text(String.valueOf(s.charAt(pos++))));
                }
            }
            return nodes;
        }

        /** Text and constructs up to (not including) one of the stop characters or the end. */
        private List<Node> parseSequence(String stops) {
            List<Node> nodes = new ArrayList<>();
            StringBuilder plain = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '\\' && pos + 1 < s.length()) {
                    plain.append(c).append(s.charAt(pos + 1));
                    pos += 2;
                    continue;
                }
                if (stops.indexOf(c) >= 0) {
                    break;
                }
                if (c == '(' || c == '[') {
                    int start = pos;
                    Node construct = c == '(' ? parseRound() : parseSquare();
                    if (construct != null) {
                        flush(plain, nodes);
                        nodes.add(construct);
                        continue;
                    }
                    pos = start;
                }
                if (c == '(' || c == '[' || c == ')' || c == ']' || c == ':' || c == '|') {
                    if (!stops.isEmpty()) {
                        break;
                    }
                    if (c == '|') {
                        plain.append(c);
                        pos++;
                        continue;
                    }
                    break;
                }
                plain.append(c);
                pos++;
            }
            flush(plain, nodes);
            return nodes;
        }

        private static void flush(StringBuilder plain, List<Node> nodes) {
            if (plain.length() > 0) {
                nodes.add(new Text(plain.toString()));
                plain.setLength(0);
            }
        }

        /** {@code (a)} or {@code (a:b)}, else null. */
        private Node parseRound() {
            pos++;
            List<Node> first = parseSequence(":)");
            if (pos >= s.length()) {
                return null;
            }
            if (s.charAt(pos) == ')') {
                pos++;
                return new Group("(", first, null, ")");
            }
            if (s.charAt(pos) != ':') {
                return null;
            }
            pos++;
            List<Node> second = parseSequence(":)");
            if (pos < s.length() && s.charAt(pos) == ')') {
                pos++;
                return new Group("(", first, second, ")");
            }
            return null;
        }

        /** {@code [a]}, {@code [a|b]}, {@code [a:when]} or {@code [a:b:when]}, else null. */
        private Node parseSquare() {
            pos++;
            List<Node> first = parseSequence(":|]");
            if (pos >= s.length()) {
                return null;
            }
            char c = s.charAt(pos);
            if (c == ']') {
                pos++;
                return new Group("[", first, null, "]");
            }
            if (c == '|') {
                List<List<Node>> options = new ArrayList<>();
                options.add(first);
                while (pos < s.length() && s.charAt(pos) == '|') {
                    pos++;
                    options.add(parseSequence("|]:"));
                }
                if (pos < s.length() && s.charAt(pos) == ']') {
                    pos++;
                    return new Alternate(options);
                }
                return null;
            }
            pos++;
            String when = numberThenClose();
            if (when != null) {
                return new Scheduled(List.of(), first, when);
            }
            List<Node> second = parseSequence(":]");
            if (pos < s.length() && s.charAt(pos) == ':') {
                pos++;
                when = numberThenClose();
                if (when != null) {
                    return new Scheduled(first, second, when);
                }
            }
            return null;
        }

        /** A number followed by {@code ]} at the position (consumed), else null with the position unchanged. */
        private String numberThenClose() {
            Matcher m = NUMBER.matcher(s).region(pos, s.length());
            if (m.lookingAt() && m.end() < s.length() && s.charAt(m.end()) == ']') {
                pos = m.end() + 1;
                return m.group(1);
            }
            return null;
        }
    }
}
