// The counter's two sounds, generated with the Web Audio API (no sound files): a short
// rising two-note chime when a code is redeemed, a low double buzz when one is refused.
// They must be told apart without looking, so they differ in pitch, direction and
// timbre. Settings turn each off (soundOnSuccess / soundOnRefusal).

export type Tone = 'success' | 'refusal';

/** Each note: frequency (Hz), start (s after now), length (s). */
const NOTES: Record<Tone, { wave: OscillatorType; notes: [number, number, number][] }> = {
  success: {
    wave: 'sine',
    notes: [
      [880, 0, 0.12],
      [1320, 0.12, 0.2],
    ],
  },
  refusal: {
    wave: 'square',
    notes: [
      [220, 0, 0.14],
      [220, 0.2, 0.14],
    ],
  },
};

let ctx: AudioContext | null = null;

/** What was last played (for tests and the page's data attribute); null before any. */
export const played: { last: Tone | null; count: number } = { last: null, count: 0 };

/** Plays `tone`; a browser without audio (or that refuses it) stays silent. */
export function play(tone: Tone): void {
  played.last = tone;
  played.count += 1;
  try {
    const Ctor = globalThis.AudioContext;
    if (Ctor === undefined) return;
    ctx ??= new Ctor();
    const c = ctx;
    void c.resume().catch(() => undefined);
    const { wave, notes } = NOTES[tone];
    for (const [freq, start, length] of notes) {
      const osc = c.createOscillator();
      const gain = c.createGain();
      osc.type = wave;
      osc.frequency.value = freq;
      const t0 = c.currentTime + start;
      // A quick fade in and out: no click at either end.
      gain.gain.setValueAtTime(0, t0);
      gain.gain.linearRampToValueAtTime(0.2, t0 + 0.01);
      gain.gain.linearRampToValueAtTime(0, t0 + length);
      osc.connect(gain).connect(c.destination);
      osc.start(t0);
      osc.stop(t0 + length + 0.02);
    }
  } catch {
    // No audio device: the colours and icons still say it.
  }
}
