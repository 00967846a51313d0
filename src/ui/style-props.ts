/**
 * `style=${styleProps({ left: '12px' })}`: Lit's styleMap, but CSP-safe.
 * styleMap writes its first render as a `style` attribute, which the page's
 * Content-Security-Policy (no 'unsafe-inline' for styles) refuses, so the
 * first value would be lost; this directive always sets properties through
 * CSSOM (`style.setProperty`), which the policy allows.
 */
import { noChange } from 'lit';
import {
  Directive,
  directive,
  PartType,
  type AttributePart,
  type PartInfo,
} from 'lit/directive.js';

/** CSS property → value; kebab-case names (`background-color`) or custom properties (`--x`). */
export type StyleProps = Readonly<Record<string, string | undefined>>;

class StylePropsDirective extends Directive {
  private previous = new Set<string>();

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ATTRIBUTE || partInfo.name !== 'style') {
      throw new Error('styleProps belongs in a style attribute: style=${styleProps({…})}');
    }
  }

  // Never called in the browser (update() does the work); it gives the directive its argument type.
  render(props: StyleProps): StyleProps {
    return props;
  }

  override update(part: AttributePart, [props]: [StyleProps]): typeof noChange {
    const style = part.element.style;
    for (const name of this.previous) {
      if (props[name] === undefined) style.removeProperty(toCssName(name));
    }
    this.previous = new Set();
    for (const [name, value] of Object.entries(props)) {
      if (value === undefined) continue;
      style.setProperty(toCssName(name), value);
      this.previous.add(name);
    }
    return noChange;
  }
}

/** `backgroundColor` → `background-color`; custom properties and kebab-case pass unchanged. */
function toCssName(name: string): string {
  return name.startsWith('--')
    ? name
    : name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export const styleProps = directive(StylePropsDirective);
