package org.diffij.pipelines;

import java.util.Locale;
import org.diffij.DiffijException;

/** An adapter applied to the model for one request: a LoRA, hypernetwork or embedding, with its strength. */
public record Adapter(Kind kind, String name, double weight) {

    /** Adapter kinds, named as prompts and A1111 name them. */
    public enum Kind {
        LORA, HYPERNET, EMBEDDING;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String text) {
            for (Kind kind : values()) {
                if (kind.tag().equalsIgnoreCase(text.trim())) {
                    return kind;
                }
            }
            throw new DiffijException("unknown adapter kind '" + text + "'; use lora, hypernet or embedding");
        }
    }

    public Adapter {
        if (kind == null) {
            throw new DiffijException("an adapter needs a kind");
        }
        if (name == null || name.isBlank() || name.contains("|") || name.contains(";")) {
            throw new DiffijException("adapter name must be non-empty without '|' or ';', not '" + name + "'");
        }
        if (!Double.isFinite(weight) || Math.abs(weight) > 100) {
            throw new DiffijException("adapter weight must be a number between -100 and 100, not " + weight);
        }
    }
}
