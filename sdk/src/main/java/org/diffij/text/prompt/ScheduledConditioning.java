package org.diffij.text.prompt;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The conditioning of a prompt for every sampler step: each distinct prompt of its
 * {@link PromptSchedule} encoded once. {@link #at} gives the conditioning for a 0-based step index.
 */
public final class ScheduledConditioning {

    /** Conditioning used up to and including sampler step index {@code endAtStep}. */
    public record Entry(int endAtStep, PromptEncoder.Conditioning conditioning) {
    }

    private final List<Entry> entries;

    private ScheduledConditioning(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    public static ScheduledConditioning encode(NDManager manager, PromptEncoder encoder, PromptSchedule schedule) {
        Map<String, PromptEncoder.Conditioning> byText = new HashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (PromptSchedule.Entry entry : schedule.entries()) {
            PromptEncoder.Conditioning c = byText.computeIfAbsent(entry.prompt(), p -> encoder.encode(manager, p));
            entries.add(new Entry(entry.endAtStep(), c));
        }
        return new ScheduledConditioning(entries);
    }

    public List<Entry> entries() {
        return entries;
    }

    public PromptEncoder.Conditioning at(int stepIndex) {
        return entries.get(entryIndex(stepIndex)).conditioning();
    }

    /** Which entry holds the conditioning of 0-based step {@code stepIndex} (steps sharing one share the index). */
    public int entryIndex(int stepIndex) {
        for (int i = 0; i < entries.size(); i++) {
            if (stepIndex <= entries.get(i).endAtStep()) {
                return i;
            }
        }
        return entries.size() - 1;
    }
}
