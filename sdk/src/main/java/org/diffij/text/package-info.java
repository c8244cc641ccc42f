/**
 * Text conditioning: prompts to the tensors a UNet is conditioned on.
 *
 * <ul>
 *   <li>{@link org.diffij.text.ClipTokenizer}: CLIP's byte-level BPE tokenizer with the text repair
 *       ({@link org.diffij.text.TextFixer}) that gives transformers' ids exactly.</li>
 *   <li>{@link org.diffij.models.clip.ClipTextModel}: {@code CLIPTextModel} / {@code CLIPTextModelWithProjection}
 *       from a {@link org.diffij.models.clip.ClipTextConfig} and any {@link org.diffij.io.Weights};
 *       {@link org.diffij.models.clip.ClipTextOutput} gives every hidden state, clip skip, pooled output and
 *       {@code text_embeds}; {@link org.diffij.text.SdxlTextEncoders} is SDXL's {@code encode_prompt}.</li>
 *   <li>{@link org.diffij.text.TextualInversion} and {@link org.diffij.text.TokenOverlay}: embeddings
 *       applied per request without touching cached tokenizers or models.</li>
 *   <li>{@link org.diffij.text.prompt}: A1111's prompt syntax (emphasis, BREAK, 75-token chunks,
 *       prompt editing, extra-network tags).</li>
 * </ul>
 */
package org.diffij.text;
