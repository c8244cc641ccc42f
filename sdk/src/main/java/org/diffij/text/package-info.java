/**
 * Text conditioning: prompts to the tensors a UNet is conditioned on.
 *
 * <ul>
 *   <li>{@link org.diffij.text.ClipTokenizer}: CLIP's byte-level BPE tokenizer with the text repair
 *       ({@link org.diffij.text.TextFixer}) that gives transformers' ids exactly.</li>
 *   <li>The CLIP text encoders themselves live in {@link org.diffij.models.clip}, built like every
 *       other model; this package turns prompts into their inputs and reads their outputs.</li>
 *   <li>{@link org.diffij.text.TextualInversion} and {@link org.diffij.text.TokenOverlay}: embeddings
 *       applied per request without touching cached tokenizers or models.</li>
 *   <li>{@link org.diffij.text.prompt}: A1111's prompt syntax (emphasis, BREAK, 75-token chunks,
 *       prompt editing, extra-network tags).</li>
 * </ul>
 */
package org.diffij.text;
