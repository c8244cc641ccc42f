package org.diffij.plugin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the dialogs' Help button shows: the README section of the command, from the README the build
 * puts into the plugin jar, as HTML in ImageJ's help window. Read from the jar rather than opened in a
 * browser, so that it matches the installed version and works without a network.
 */
final class Help {

    static final String README = "/org/diffij/plugin/README.md";
    static final String GENERATION_SECTION = "Commands and their macro keys";
    static final String TRAINING_SECTION = "Training (Plugins › Diffusion › Train ›)";
    static final String PROVENANCE_SECTION = "Provenance and Re-run";
    private static final Set<String> TRAINING_TITLES = Set.of("LoRA...", "Textual Inversion...", "DreamBooth...",
            "Hypernetwork...", "Resume Training");

    private Help() {
    }

    /** The README section that explains the command with this dialog title. */
    static String section(String title) {
        if (TRAINING_TITLES.contains(title)) {
            return TRAINING_SECTION;
        }
        return title.equals("Re-run from Image") ? PROVENANCE_SECTION : GENERATION_SECTION;
    }

    /** The Help text of the command's dialog: {@code <html>...}, which ImageJ shows in a help window. */
    static String html(String title) {
        String section = section(title);
        List<String> lines = sectionLines(readme(), section);
        if (lines.isEmpty()) {
            return "<html><p>The README of this build has no section '" + escape(section) + "'.</p></html>";
        }
        return toHtml(lines);
    }

    private static String readme() {
        try (InputStream in = Help.class.getResourceAsStream(README)) {
            if (in == null) {
                return "";
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The heading line {@code ## name} or {@code ### name} and what follows it up to the next heading as high. */
    static List<String> sectionLines(String markdown, String name) {
        List<String> section = new ArrayList<>();
        int level = 0;
        boolean inCode = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            }
            int depth = inCode ? 0 : headingLevel(line);
            if (level == 0 && depth > 0 && line.substring(depth).strip().equals(name)) {
                level = depth;
            } else if (level > 0 && depth > 0 && depth <= level) {
                break;
            }
            if (level > 0) {
                section.add(line);
            }
        }
        return section;
    }

    private static int headingLevel(String line) {
        int depth = 0;
        while (depth < line.length() && line.charAt(depth) == '#') {
            depth++;
        }
        return depth > 0 && depth < line.length() && line.charAt(depth) == ' ' ? depth : 0;
    }

    /**
     * The little Markdown the README uses as HTML 3.2 (what ImageJ's help window renders): headings,
     * paragraphs, bullet lists, tables, code blocks, {@code `code`} and {@code **bold**}.
     */
    static String toHtml(List<String> lines) {
        StringBuilder html = new StringBuilder("<html><body>");
        String open = "";
        for (String line : lines) {
            String block = line.startsWith("```") ? "pre" : line.startsWith("|") ? "table"
                    : line.startsWith("- ") ? "ul" : line.isBlank() ? "" : "p";
            if (open.equals("pre")) {
                if (block.equals("pre")) {
                    html.append("</pre>");
                    open = "";
                } else {
                    html.append(escape(line)).append('\n');
                }
                continue;
            }
            int depth = headingLevel(line);
            if (depth > 0) {
                open = close(html, open);
                html.append("<h3>").append(inline(line.substring(depth).strip())).append("</h3>");
                continue;
            }
            if (open.equals("ul") && line.startsWith("  ") && !line.isBlank()) {
                html.append(' ').append(inline(line.strip()));
                continue;
            }
            if (!block.equals(open)) {
                open = close(html, open);
                if (!block.isEmpty()) {
                    html.append('<').append(block).append('>');
                    open = block;
                }
                if (block.equals("pre")) {
                    continue;
                }
            }
            switch (block) {
                case "table" -> {
                    if (!line.matches("\\|[-:| ]+\\|?")) {
                        html.append("<tr>");
                        for (String cell : cells(line)) {
                            html.append("<td>").append(inline(cell)).append("</td>");
                        }
                        html.append("</tr>");
                    }
                }
                case "ul" -> html.append("<li>").append(inline(line.substring(2)));
                case "p" -> html.append(inline(line.strip())).append(' ');
                default -> {
                }
            }
        }
        close(html, open);
        return html.append("</body></html>").toString();
    }

    private static String close(StringBuilder html, String open) {
        if (!open.isEmpty()) {
            html.append("</").append(open).append('>');
        }
        return "";
    }

    /** The cells of a table row; {@code \|} is a bar inside a cell. */
    private static List<String> cells(String row) {
        String text = row.strip();
        text = text.substring(1, text.endsWith("|") && !text.endsWith("\\|") ? text.length() - 1 : text.length());
        List<String> cells = new ArrayList<>();
        for (String cell : text.split("(?<!\\\\)\\|", -1)) {
            cells.add(cell.replace("\\|", "|").strip());
        }
        return cells;
    }

    private static String inline(String text) {
        return escape(text).replaceAll("`([^`]+)`", "<code>$1</code>").replaceAll("\\*\\*([^*]+)\\*\\*", "<b>$1</b>")
                .replaceAll("(?<![\\w*])\\*([^*\\s][^*]*)\\*(?![\\w*])", "<i>$1</i>");
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
