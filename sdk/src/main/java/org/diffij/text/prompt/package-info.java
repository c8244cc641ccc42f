/**
 * Prompts as A1111 users write them. {@link org.diffij.text.prompt.A1111Prompt} takes a prompt apart
 * into extra-network tags and a per-step {@link org.diffij.text.prompt.PromptSchedule}; each scheduled
 * text goes through {@link org.diffij.text.prompt.AttentionParser} (emphasis and BREAK) and
 * {@link org.diffij.text.prompt.PromptChunks} (75-token chunks) inside a
 * {@link org.diffij.text.prompt.PromptEncoder} ({@link org.diffij.text.prompt.WeightedPromptEncoder},
 * {@link org.diffij.text.prompt.SdxlPromptEncoder}); {@link org.diffij.text.prompt.ScheduledConditioning}
 * holds the result per sampler step, and {@link org.diffij.text.prompt.ChunkPadding} evens out the
 * chunk counts of a guided batch (the pipeline's {@code PromptConditioning} assembles it). A prompt
 * without syntax gives exactly diffusers' conditioning.
 */
package org.diffij.text.prompt;
