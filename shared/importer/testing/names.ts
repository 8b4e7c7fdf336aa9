/** Names as they occur in the files the wizard reads (issue 11): Romanian, Cyrillic, Greek. */
/** Romanian as legacy Windows files write it: ş ţ with a cedilla (windows-1250 has no comma below). */
export const ROMANIAN_CEDILLA = [
  'Ştefan Ţurcanu',
  'Ioana Bălănescu',
  'Andreea Şerban',
  'Cătălin Ţăranu',
  'Mihai Vâlcea',
  'Răzvan Îonescu',
];
export const ROMANIAN = ['Ștefan Țurcanu', 'Ioana Bălănescu', 'Andreea Șerban', 'Cătălin Țăranu'];
export const CYRILLIC = [
  'Иван Петров',
  'Светлана Кузнецова',
  'Дмитрий Смирнов',
  'Ольга Соколова',
  'Алексей Попов',
  'Наталья Волкова',
];
export const GREEK = [
  'Γιώργος Παπαδόπουλος',
  'Μαρία Κωνσταντίνου',
  'Νίκος Αλεξίου',
  'Ελένη Δημητρίου',
  'Δημήτρης Οικονόμου',
];

/** A small entity list with these names, one per row. */
export function entitiesCsv(names: readonly string[], delimiter = ','): string {
  const lines = [['type', 'name', 'birth_date', 'nationality'].join(delimiter)];
  names.forEach((name, i) =>
    lines.push(['person', name, `19${70 + i}-0${(i % 9) + 1}-1${i % 9}`, 'ro'].join(delimiter)),
  );
  return `${lines.join('\r\n')}\r\n`;
}
