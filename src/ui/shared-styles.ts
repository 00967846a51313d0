/**
 * The look the panels share: their buttons and the focus ring. A component
 * adopts these first (`static styles = [controlStyles, css`…`]`) and its own
 * rules after, so a panel can still pad its buttons its own way.
 */
import { css } from 'lit';

export const controlStyles = css`
  button {
    font: inherit;
    color: #e6e8ee;
    background: #2b3040;
    border: 1px solid #3d4459;
    border-radius: 3px;
    padding: 0.1rem 0.5rem;
    cursor: pointer;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  summary:focus-visible {
    outline: 2px solid #7cc4ff;
    outline-offset: 1px;
  }
`;
