/**
 * The canvas cannot use CSS custom properties, so the chart reads the theme's colours off <html>
 * and reads them again whenever `data-theme` (or the inline style) changes.
 */
import { useEffect, useState } from 'react';
import type { ChartTheme } from './chartModel.ts';
import { DARK_CHART_THEME, LIGHT_CHART_THEME } from './chartModel.ts';

function readTheme(): ChartTheme {
  const root = document.documentElement;
  const dark = root.dataset.theme === 'dark';
  const fallback = dark ? DARK_CHART_THEME : LIGHT_CHART_THEME;
  const css = getComputedStyle(root);
  const read = (name: string, value: string): string => css.getPropertyValue(name).trim() || value;
  return {
    dark,
    bg: read('--bg-elevated', fallback.bg),
    fg: read('--fg', fallback.fg),
    fgMuted: read('--fg-muted', fallback.fgMuted),
    accent: read('--accent', fallback.accent),
    edge: fallback.edge,
  };
}

function sameTheme(a: ChartTheme, b: ChartTheme): boolean {
  return (
    a.dark === b.dark &&
    a.bg === b.bg &&
    a.fg === b.fg &&
    a.fgMuted === b.fgMuted &&
    a.accent === b.accent &&
    a.edge === b.edge
  );
}

export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(readTheme);
  useEffect(() => {
    const update = () =>
      setTheme((current) => {
        const next = readTheme();
        return sameTheme(current, next) ? current : next;
      });
    update();
    const observer = new MutationObserver(update);
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ['data-theme', 'style', 'class'],
    });
    return () => observer.disconnect();
  }, []);
  return theme;
}
