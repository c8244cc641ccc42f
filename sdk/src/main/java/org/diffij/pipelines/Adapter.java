package org.diffij.pipelines;

import java.util.Locale;
import org.diffij.DiffijException;
import org.diffij.text.prompt.ExtraNetworkTag;

/**
 * An adapter the user asked for, applied to the model for one request: a LoRA, hypernetwork or
 * embedding by name, with its strength. The request's adapter list and the prompt's
 * {@code <lora:name:weight>} tags both become adapters.
 */
public record Adapter(Kind kind, String name, double weight, double unetWeight) {

    /** One strength for the text encoders and the UNet alike (the request's adapters key). */
    public Adapter(Kind kind, String name, double weight) {
        this(kind, name, weight, weight);
    }


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

    /**
     * The adapter a prompt tag asks for; {@code <lyco:...>} is A1111's older name for a LoRA tag,
     * {@code <hypernet:name:strength>} a hypernetwork at a strength.
     */
    public static Adapter of(ExtraNetworkTag tag) {
        Kind kind = switch (tag.kind()) {
            case "lora", "lyco" -> Kind.LORA;
            case "hypernet" -> Kind.HYPERNET;
            default -> throw new DiffijException("<" + tag.kind() + ":" + tag.name() + "> is not supported; Diffij "
                    + "applies <lora:name:weight> and <hypernet:name:strength> tags");
        };
        // A1111's <lora:name:te:unet> gives the UNet its own strength.
        return new Adapter(kind, tag.name(), tag.multiplier(), tag.unetMultiplier());
    }
}
