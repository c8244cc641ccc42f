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
        for (Entry entry : entries) {
            if (stepIndex <= entry.endAtStep()) {
                return entry.conditioning();
            }
        }
        return entries.get(entries.size() - 1).conditioning();
    }
}
