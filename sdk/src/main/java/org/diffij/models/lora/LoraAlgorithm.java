package org.diffij.models.lora;

/** How an adapter file encodes a layer's change, named as LyCORIS names its algorithms. */
public enum LoraAlgorithm {
    /** {@code up · down} (kohya LoRA, LoCon for convolutions, Tucker {@code lora_mid} for kernels). */
    LORA("LoRA"),
    /** {@code (w1a · w1b) ⊙ (w2a · w2b)}, optionally Tucker cores {@code hada_t1/t2}. */
    LOHA("LoHa"),
    /** {@code kron(w1, w2)}, each factor whole or low rank, optionally a Tucker core {@code lokr_t2}. */
    LOKR("LoKr"),
    /** The weight difference itself ({@code diff}, {@code diff_b}). */
    FULL("full"),
    /** {@code W ⊙ w}, scaling outputs (or inputs with {@code on_input}). */
    IA3("IA3"),
    /** The difference of a norm layer's weight and bias ({@code w_norm}, {@code b_norm}). */
    NORM("norm");

    private final String label;

    LoraAlgorithm(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
