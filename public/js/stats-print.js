// The monthly report's "Imprimer / enregistrer en PDF" button: shown only when this script runs
// (without it, the browser's own Print menu does the same).
document.querySelectorAll('[data-print]').forEach((button) => {
  button.hidden = false;
  button.addEventListener('click', () => {
    // Open the data tables so that they are printed.
    document.querySelectorAll('details.stats-data').forEach((d) => (d.open = true));
    window.print();
  });
});
