// The Candor widgets the extension draws with (registered once per page, never throwing on a
// second copy), and their JSX types for Preact.
import { defineElement } from '../../widgets/shared/define.ts';
import { CandorSparkline } from '../../widgets/sparkline/sparkline.ts';
import type { HTMLAttributes } from 'preact';

defineElement('candor-sparkline', CandorSparkline);

type SparklineAttributes = HTMLAttributes<HTMLElement> & { values?: number[]; min?: number; max?: number; label?: string; theme?: 'light' | 'dark'; locale?: string };

declare module 'preact' {
  namespace JSX {
    interface IntrinsicElements {
      'candor-sparkline': SparklineAttributes;
    }
  }
}
