// Actions on UI-only state: opening and closing the collapsible panels, and putting the model offer aside.
import { isNarrowScreen, type PanelName } from './slices/ui-slice';
import { useAppStore } from './store';

/** Opens or closes a collapsible panel. */
export function setPanelOpen(panel: PanelName, open: boolean): void {
  useAppStore.setState((s) => (s.panelsOpen[panel] === open ? s : { panelsOpen: { ...s.panelsOpen, [panel]: open } }));
}

/** On a tablet or phone, closes the data panel once data is read, so the chart comes first. */
export function collapseDataOnPhone(): void {
  if (isNarrowScreen()) setPanelOpen('data', false);
}

/** Shows the offer of the real Chronos-2 in full, or as one line. */
export function setOfferCollapsed(collapsed: boolean): void {
  useAppStore.setState({ offerCollapsed: collapsed });
}
