// Admission to the two stages of indexing an image: preparing it (claim its record, store its original) and calling
// IndexFaces. At most `concurrency` calls run at once. While call slots are left, only as many images prepare as
// can take them; once every call slot is busy, up to `concurrency` more prepare ahead, so that a call slot that
// frees has its next image ready. The images of the first round are never slowed down by those of the next.

/** One image's place in the stages. */
export interface StagePass {
  /** True when the image was let in to prepare while every call slot was busy: it will wait for one. */
  readonly ahead: boolean;
  /** Resolves when the image holds a call slot (at once if it holds one already). */
  enterCalling(): Promise<void>;
  /** Frees whatever the image holds; calling it again does nothing. */
  leave(): void;
}

export class IndexingStages {
  /** Images let in and not calling yet (preparing, or prepared and waiting for a call slot). */
  private preparing = 0;
  private calling = 0;
  private readonly waitingToPrepare: Array<(pass: StagePass) => void> = [];
  private readonly waitingToCall: Array<() => void> = [];

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`The concurrency must be a positive integer, not ${concurrency}`);
  }

  /** Resolves, first come first served, when the image may start preparing. */
  enter(): Promise<StagePass> {
    return new Promise((resolve) => {
      this.waitingToPrepare.push(resolve);
      this.admit();
    });
  }

  private admit(): void {
    while (this.waitingToCall.length > 0 && this.calling < this.concurrency) {
      this.preparing -= 1;
      this.calling += 1;
      this.waitingToCall.shift()!();
    }
    while (this.waitingToPrepare.length > 0) {
      const onTurn = this.preparing + this.calling < this.concurrency;
      const ahead = !onTurn && this.calling === this.concurrency && this.preparing < this.concurrency;
      if (!onTurn && !ahead) return;
      this.preparing += 1;
      this.waitingToPrepare.shift()!(this.pass(ahead));
    }
  }

  private pass(ahead: boolean): StagePass {
    let state: 'preparing' | 'waiting' | 'calling' | 'left' = 'preparing';
    let entering: Promise<void> | undefined;
    return {
      ahead,
      enterCalling: () => {
        entering ??= new Promise<void>((resolve) => {
          state = 'waiting';
          this.waitingToCall.push(() => {
            // Left while waiting: the slot it was given goes back at once.
            if (state === 'left') {
              this.calling -= 1;
              this.admit();
              return;
            }
            state = 'calling';
            resolve();
          });
          this.admit();
        });
        return entering;
      },
      leave: () => {
        if (state === 'left') return;
        if (state === 'calling') this.calling -= 1;
        else if (state === 'preparing') this.preparing -= 1;
        // A waiting image stays counted as preparing until its turn in the call queue, which then frees the slot.
        state = 'left';
        this.admit();
      },
    };
  }
}
