package org.diffij.text;

/**
 * A prompt's token ids padded to the encoder's length, its attention mask (1 for real tokens), and
 * how many ids it had before truncation (start and end tokens included).
 */
public record TokenizedPrompt(long[] ids, long[] attentionMask, int untruncatedLength) {

    public boolean truncated() {
        return untruncatedLength > ids.length;
    }
}
